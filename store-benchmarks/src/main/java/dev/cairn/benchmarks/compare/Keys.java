package dev.cairn.benchmarks.compare;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A deterministic set of distinct-enough 16-byte random keys (the same seed yields the same keys in
 * every engine's JVM), and 16-byte start keys for scans. Immutable after construction.
 */
final class Keys {
  static final int KEY_BYTES = 16;

  private final byte[] bytes;
  private final int count;

  Keys(long seed, int count) {
    this.count = count;
    this.bytes = new byte[count * KEY_BYTES];
    new SplittableRandom(seed).nextBytes(bytes);
  }

  int count() {
    return count;
  }

  byte[] key(int index) {
    return Arrays.copyOfRange(bytes, index * KEY_BYTES, (index + 1) * KEY_BYTES);
  }

  /**
   * A random 16-byte start key whose first byte is in [0x10, 0x70): at least 6% of the keys sort
   * after it whether an engine compares bytes signed or unsigned, so a scan of 1,000 entries never
   * runs off the end of a store of at least 20,000 random keys.
   */
  static byte[] scanStart(SplittableRandom random) {
    byte[] start = new byte[KEY_BYTES];
    random.nextBytes(start);
    start[0] = (byte) (0x10 + random.nextInt(0x60));
    return start;
  }

  /** A fresh random value of {@code byteCount} bytes. */
  static byte[] value(SplittableRandom random, int byteCount) {
    byte[] value = new byte[byteCount];
    random.nextBytes(value);
    return value;
  }
}
