package dev.cairn.store.internal.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Bytes#KEY_ORDER} must order keys exactly as {@link Arrays#compareUnsigned(byte[], byte[])}. */
class KeyOrderTest {
  private static final byte[] EDGE_BYTES = {0x00, 0x01, 0x7F, (byte) 0x80, (byte) 0xFE, (byte) 0xFF};

  @Test
  void keyOrderAgreesWithCompareUnsignedOnRandomKeysWithSharedPrefixes() {
    Random random = new Random(20261122);
    for (int i = 0; i < 200_000; i++) {
      byte[] a = randomKey(random);
      byte[] b = random.nextInt(3) == 0 ? randomKey(random) : mutate(a, random);
      assertSameSign(a, b);
      assertSameSign(b, a);
    }
  }

  @Test
  void keyOrderPutsAProperPrefixFirstAndEqualKeysLevel() {
    for (int length = 0; length <= 24; length++) {
      byte[] key = new byte[length];
      Arrays.fill(key, (byte) 0xFF);
      byte[] longer = Arrays.copyOf(key, length + 1);
      assertSameSign(key, longer);
      assertSameSign(longer, key);
      assertEquals(0, Bytes.KEY_ORDER.compare(key, key.clone()));
    }
  }

  @Test
  void keyOrderTreatsEveryBytePositionAsUnsigned() {
    for (int length = 1; length <= 20; length++) {
      for (int position = 0; position < length; position++) {
        for (byte x : EDGE_BYTES) {
          for (byte y : EDGE_BYTES) {
            byte[] a = new byte[length];
            byte[] b = new byte[length];
            a[position] = x;
            b[position] = y;
            assertSameSign(a, b);
          }
        }
      }
    }
  }

  private static byte[] randomKey(Random random) {
    byte[] key = new byte[random.nextInt(26)];
    for (int i = 0; i < key.length; i++) {
      key[i] = EDGE_BYTES[random.nextInt(EDGE_BYTES.length)];
    }
    return key;
  }

  /** A key sharing a prefix with {@code key}: one byte changed, or cut, or extended. */
  private static byte[] mutate(byte[] key, Random random) {
    byte[] copy = Arrays.copyOf(key, Math.max(0, key.length + random.nextInt(5) - 2));
    if (copy.length > 0 && random.nextBoolean()) {
      copy[random.nextInt(copy.length)] = EDGE_BYTES[random.nextInt(EDGE_BYTES.length)];
    }
    return copy;
  }

  private static void assertSameSign(byte[] a, byte[] b) {
    assertEquals(Integer.signum(Arrays.compareUnsigned(a, b)), Integer.signum(Bytes.KEY_ORDER.compare(a, b)),
        () -> Arrays.toString(a) + " vs " + Arrays.toString(b));
  }
}
