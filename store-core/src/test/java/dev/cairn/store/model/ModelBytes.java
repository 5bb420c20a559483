package dev.cairn.store.model;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/** Byte-string helpers for the model tests: short descriptions for failure messages, prefixes. */
final class ModelBytes {
  private static final HexFormat HEX = HexFormat.of();
  private static final int SHOWN_BYTES = 16;

  private ModelBytes() {}

  /** A key in hex. */
  static String hex(byte[] key) {
    return key == null ? "null" : "0x" + HEX.formatHex(key);
  }

  /** A value short enough for a message: hex when small, else length and checksum. */
  static String describe(byte[] value) {
    if (value == null) {
      return "null";
    }
    if (value.length <= SHOWN_BYTES) {
      return "[" + value.length + "]0x" + HEX.formatHex(value);
    }
    CRC32C crc = new CRC32C();
    crc.update(value);
    return "[" + value.length + " bytes crc=" + Long.toHexString(crc.getValue()) + "]";
  }

  /** {@code prefix} followed by {@code rest}. */
  static byte[] concat(byte[] prefix, byte[] rest) {
    byte[] out = Arrays.copyOf(prefix, prefix.length + rest.length);
    System.arraycopy(rest, 0, out, prefix.length, rest.length);
    return out;
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }
}
