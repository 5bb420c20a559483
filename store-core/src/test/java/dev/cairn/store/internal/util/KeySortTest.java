package dev.cairn.store.internal.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link KeySort} must sort exactly as {@link Arrays#sort} with {@link Arrays#compareUnsigned(byte[], byte[])}. */
class KeySortTest {
  @Test
  void sortsAsCompareUnsignedAtEverySizeAroundTheInsertionSortCutoff() {
    Random random = new Random(11);
    for (int n = 0; n <= 200; n++) {
      assertSortsLikeTheJdk(randomKeys(random, n));
    }
  }

  @Test
  void sortsKeysThatTieOnTheirFirstEightBytesAndProperPrefixes() {
    Random random = new Random(12);
    byte[][] keys = new byte[5_000][];
    for (int i = 0; i < keys.length; i++) {
      // "user:000" + a short varied tail: every prefix ties, and some keys are prefixes of others.
      byte[] key = Arrays.copyOf("user:000".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 8 + random.nextInt(4));
      for (int j = 8; j < key.length; j++) {
        key[j] = (byte) random.nextInt(3);
      }
      keys[i] = random.nextInt(10) == 0 ? Arrays.copyOf(key, random.nextInt(9)) : key;
    }
    assertSortsLikeTheJdk(keys);
  }

  @Test
  void sortsLargeInputsAlreadyInOrderReversedAndRandom() {
    Random random = new Random(13);
    byte[][] keys = randomKeys(random, 100_000);
    assertSortsLikeTheJdk(keys.clone());
    byte[][] sorted = keys.clone();
    Arrays.sort(sorted, Arrays::compareUnsigned);
    assertSortsLikeTheJdk(sorted.clone());
    byte[][] reversed = new byte[sorted.length][];
    for (int i = 0; i < sorted.length; i++) {
      reversed[i] = sorted[sorted.length - 1 - i];
    }
    assertSortsLikeTheJdk(reversed);
  }

  @Test
  void keepsEqualKeysInTheirOriginalOrder() {
    byte[][] keys = new byte[300][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new byte[] {(byte) (i % 3), 7};
    }
    byte[][] expected = keys.clone();
    Arrays.sort(expected, Arrays::compareUnsigned); // stable too
    KeySort.sort(keys);
    for (int i = 0; i < keys.length; i++) {
      assertSame(expected[i], keys[i], "position " + i);
    }
  }

  @Test
  void sortsAsCompareUnsignedAroundTheBucketCutoffWithEvenAndSkewedBuckets() {
    Random random = new Random(14);
    for (int n : new int[] {255, 256, 257, 1_000, 4_096, 50_000}) {
      assertSortsLikeTheJdk(randomKeys(random, n)); // many small buckets, and large ones for shared first bytes
      byte[][] skewed = new byte[n][];
      for (int i = 0; i < n; i++) {
        // Nine in ten keys fall in a sliver of the prefix range: one large bucket among small ones.
        skewed[i] = new byte[8 + random.nextInt(3)];
        random.nextBytes(skewed[i]);
        if (random.nextInt(10) != 0) {
          skewed[i][0] = 0x40;
          skewed[i][1] = 0x41;
        }
      }
      assertSortsLikeTheJdk(skewed);
    }
  }

  @Test
  void keepsEqualKeysInTheirOriginalOrderInSmallAndLargeBuckets() {
    Random random = new Random(15);
    byte[][] distinct = randomKeys(random, 2_000);
    byte[][] keys = new byte[30_000][];
    for (int i = 0; i < keys.length; i++) {
      // Equal keys as distinct arrays, so that their order can be told apart.
      keys[i] = distinct[random.nextInt(distinct.length)].clone();
    }
    byte[][] expected = keys.clone();
    Arrays.sort(expected, Arrays::compareUnsigned); // stable too
    KeySort.sort(keys);
    for (int i = 0; i < keys.length; i++) {
      assertSame(expected[i], keys[i], "position " + i);
    }
  }

  private static void assertSortsLikeTheJdk(byte[][] keys) {
    byte[][] expected = keys.clone();
    Arrays.sort(expected, Arrays::compareUnsigned);
    KeySort.sort(keys);
    assertArrayEquals(expected, keys);
  }

  private static byte[][] randomKeys(Random random, int n) {
    byte[][] keys = new byte[n][];
    for (int i = 0; i < n; i++) {
      keys[i] = new byte[random.nextInt(20)];
      random.nextBytes(keys[i]);
      if (keys[i].length > 0 && random.nextBoolean()) {
        keys[i][0] = (byte) random.nextInt(2); // many shared first bytes
      }
    }
    return keys;
  }
}
