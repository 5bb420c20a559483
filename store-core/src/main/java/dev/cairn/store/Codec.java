package dev.cairn.store;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Converts between typed objects and stored bytes, for {@link Store#asMap}. Implementations must be
 * thread-safe and must round-trip: {@code decode(encode(x))} equals {@code x}. A codec used for keys
 * should preserve order (the byte order of encodings matches the order of objects), since maps
 * iterate in key-byte order; the three built-in codecs do.
 */
public interface Codec<T> {
  byte[] encode(T value);

  T decode(byte[] bytes);

  /** UTF-8 text. Byte order equals code point order. */
  static Codec<String> utf8() {
    return Utf8Codec.INSTANCE;
  }

  /** Raw bytes, copied in both directions. */
  static Codec<byte[]> bytes() {
    return BytesCodec.INSTANCE;
  }

  /** Signed 64-bit integers as 8 big-endian bytes with the sign bit flipped, so byte order is numeric order. */
  static Codec<Long> int64() {
    return Int64Codec.INSTANCE;
  }

  /** UTF-8 codec. */
  final class Utf8Codec implements Codec<String> {
    static final Utf8Codec INSTANCE = new Utf8Codec();

    private Utf8Codec() {}

    @Override
    public byte[] encode(String value) {
      return Objects.requireNonNull(value).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** Byte array codec. */
  final class BytesCodec implements Codec<byte[]> {
    static final BytesCodec INSTANCE = new BytesCodec();

    private BytesCodec() {}

    @Override
    public byte[] encode(byte[] value) {
      return Objects.requireNonNull(value).clone();
    }

    @Override
    public byte[] decode(byte[] bytes) {
      return bytes.clone();
    }
  }

  /** Order-preserving 64-bit integer codec. */
  final class Int64Codec implements Codec<Long> {
    static final Int64Codec INSTANCE = new Int64Codec();

    private Int64Codec() {}

    @Override
    public byte[] encode(Long value) {
      long v = Objects.requireNonNull(value) ^ Long.MIN_VALUE;
      byte[] out = new byte[8];
      for (int i = 7; i >= 0; i--) {
        out[i] = (byte) v;
        v >>>= 8;
      }
      return out;
    }

    @Override
    public Long decode(byte[] bytes) {
      if (bytes.length != 8) {
        throw new IllegalArgumentException("an int64 is 8 bytes, got " + bytes.length);
      }
      long v = 0;
      for (byte b : bytes) {
        v = (v << 8) | (b & 0xFF);
      }
      return v ^ Long.MIN_VALUE;
    }
  }
}
