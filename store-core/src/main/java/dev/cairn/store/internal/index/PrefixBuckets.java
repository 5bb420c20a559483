package dev.cairn.store.internal.index;

import dev.cairn.store.internal.util.Bytes;

/**
 * A table from the leading bits of a key prefix to the entries of a {@link SortedRun} whose
 * prefixes have those bits: for a point read, one read of this table instead of a binary search
 * whose every step is a cache miss. Immutable.
 *
 * <p>The bits are those after the ones that every prefix of the run shares (a common key prefix
 * such as {@code "user:"} tells entries apart no better than nothing), and there are a quarter to
 * half as many buckets as entries, so that keys spread evenly (random, hashed or counter keys)
 * leave a few entries in each bucket: one or two cache lines of prefixes to search. Skewed keys
 * leave large buckets, and the run falls back to its sampled binary search for those.
 *
 * <p>It costs one to two bytes per entry: a 4-byte bucket start per two to four entries.
 */
final class PrefixBuckets {
  /** Runs smaller than this search their few samples instead. */
  private static final int MIN_ENTRIES = 64;
  /** At most 2^22 buckets (16 MiB), for runs of about 8M entries and up. */
  private static final int MAX_BITS = 22;

  private final long min;
  private final long max;
  /** Leading bits that every prefix of the run shares, which the bucket bits follow. */
  private final int shift;
  private final int bits;
  /** {@code firsts[b]}: the first entry in bucket {@code b} or a later one; {@code firsts[2^bits]} is the size. */
  private final int[] firsts;

  private PrefixBuckets(long min, long max, int shift, int bits, int[] firsts) {
    this.min = min;
    this.max = max;
    this.shift = shift;
    this.bits = bits;
    this.firsts = firsts;
  }

  /**
   * The buckets of the first {@code size} of {@code prefixes}, which must be in ascending unsigned
   * order; null if there are too few entries, or too few distinct prefixes, for buckets to help.
   */
  static PrefixBuckets of(long[] prefixes, int size) {
    if (size < MIN_ENTRIES) {
      return null;
    }
    long min = prefixes[0];
    long max = prefixes[size - 1];
    if (min == max) {
      return null;
    }
    int shift = Long.numberOfLeadingZeros(min ^ max);
    int bits = Math.min(Math.min(MAX_BITS, 64 - shift), 31 - Integer.numberOfLeadingZeros(size / 2));
    int[] firsts = new int[(1 << bits) + 1];
    int b = 0;
    for (int i = 0; i < size; i++) {
      int bucket = Bytes.prefixBucket(prefixes[i], shift, bits);
      while (b <= bucket) {
        firsts[b++] = i;
      }
    }
    while (b < firsts.length) {
      firsts[b++] = size;
    }
    return new PrefixBuckets(min, max, shift, bits, firsts);
  }

  /**
   * The entries whose prefix may equal {@code prefix}, as {@code from << 32 | to}: every entry
   * before {@code from} has a lower prefix, and every entry from {@code to} on a higher one. A
   * prefix outside the run's gives an empty range at the run's start or end.
   */
  long range(long prefix) {
    if (Long.compareUnsigned(prefix, min) < 0) {
      return 0;
    }
    if (Long.compareUnsigned(prefix, max) > 0) {
      long size = firsts[firsts.length - 1];
      return size << 32 | size;
    }
    // Between min and max, the prefix shares their leading bits.
    int b = Bytes.prefixBucket(prefix, shift, bits);
    return (long) firsts[b] << 32 | firsts[b + 1];
  }
}
