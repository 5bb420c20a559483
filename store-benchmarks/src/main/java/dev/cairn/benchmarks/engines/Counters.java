package dev.cairn.benchmarks.engines;

/** The counter encoding of {@link KvEngine#increment}: 8 bytes, big-endian; absent is 0. */
public final class Counters {
  private Counters() {}

  /** The value of an encoded counter; null (absent) is 0. */
  public static long decode(byte[] encoded) {
    if (encoded == null) {
      return 0;
    }
    if (encoded.length != 8) {
      throw new IllegalStateException("a counter is 8 bytes, found " + encoded.length);
    }
    long value = 0;
    for (byte b : encoded) {
      value = (value << 8) | (b & 0xFF);
    }
    return value;
  }

  /** The 8-byte big-endian encoding of {@code value}. */
  public static byte[] encode(long value) {
    byte[] encoded = new byte[8];
    for (int i = 7; i >= 0; i--) {
      encoded[i] = (byte) value;
      value >>>= 8;
    }
    return encoded;
  }

  /** The encoding of {@code encoded} plus one. */
  public static byte[] incremented(byte[] encoded) {
    return encode(decode(encoded) + 1);
  }
}
