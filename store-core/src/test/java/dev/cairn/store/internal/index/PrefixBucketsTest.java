package dev.cairn.store.internal.index;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@link PrefixBuckets#range} never cuts off an entry whose prefix equals the one asked for: every
 * entry before the range is lower, every entry after it higher, whatever the prefixes' spread.
 */
class PrefixBucketsTest {

  private static long[] sortedUnsigned(int size, LongSupplier prefix) {
    Long[] boxed = new Long[size];
    for (int i = 0; i < size; i++) {
      boxed[i] = prefix.getAsLong();
    }
    Arrays.sort(boxed, Long::compareUnsigned);
    long[] prefixes = new long[size + 7]; // arrays may be longer than the run, as a merge's are
    for (int i = 0; i < size; i++) {
      prefixes[i] = boxed[i];
    }
    return prefixes;
  }

  private static void assertRangesHold(long[] prefixes, int size, long[] probes) {
    PrefixBuckets buckets = PrefixBuckets.of(prefixes, size);
    assertNotNull(buckets);
    for (long p : probes) {
      long range = buckets.range(p);
      int from = (int) (range >>> 32);
      int to = (int) range;
      assertTrue(0 <= from && from <= to && to <= size, "range [" + from + ", " + to + ") of " + size);
      for (int i = 0; i < from; i++) {
        assertTrue(Long.compareUnsigned(prefixes[i], p) < 0, "entry " + i + " before the range of " + p);
      }
      for (int i = to; i < size; i++) {
        assertTrue(Long.compareUnsigned(prefixes[i], p) > 0, "entry " + i + " after the range of " + p);
      }
    }
  }

  /** The run's own prefixes, their neighbours, random values and the extremes. */
  private static long[] probes(long[] prefixes, int size, Random random) {
    long[] probes = new long[3 * size + 200];
    int n = 0;
    for (int i = 0; i < size; i++) {
      probes[n++] = prefixes[i];
      probes[n++] = prefixes[i] + 1;
      probes[n++] = prefixes[i] - 1;
    }
    while (n < probes.length - 2) {
      probes[n++] = random.nextLong();
    }
    probes[n++] = 0;
    probes[n] = -1L;
    return probes;
  }

  @Test
  void rangesHoldForRandomPrefixes_acrossTheSignBit() {
    Random random = new Random(1);
    long[] prefixes = sortedUnsigned(3_000, random::nextLong);
    assertRangesHold(prefixes, 3_000, probes(prefixes, 3_000, random));
  }

  @Test
  void rangesHoldForPrefixesSharingLeadingBytes() {
    Random random = new Random(2);
    // "user:" and then a counter: the first five bytes are the same for every key.
    long[] prefixes = sortedUnsigned(2_000, () -> 0x757365723A000000L | random.nextInt(1 << 20));
    assertRangesHold(prefixes, 2_000, probes(prefixes, 2_000, random));
  }

  @Test
  void rangesHoldForSkewedAndRepeatedPrefixes() {
    Random random = new Random(3);
    // Most prefixes in two clusters, many of them repeated, a few spread out.
    long[] prefixes = sortedUnsigned(2_000, () -> switch (random.nextInt(10)) {
      case 0 -> random.nextLong();
      case 1, 2, 3 -> 42;
      default -> 0xF000_0000_0000_0000L + random.nextInt(50);
    });
    assertRangesHold(prefixes, 2_000, probes(prefixes, 2_000, random));
  }

  @Test
  void smallRunsAndRunsOfOnePrefixHaveNoBuckets() {
    long[] few = sortedUnsigned(10, new Random(4)::nextLong);
    assertNull(PrefixBuckets.of(few, 10));
    long[] one = new long[1_000];
    Arrays.fill(one, 7);
    assertNull(PrefixBuckets.of(one, 1_000));
  }
}
