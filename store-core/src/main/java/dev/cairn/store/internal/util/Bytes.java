package dev.cairn.store.internal.util;

import java.util.Arrays;
import java.util.Comparator;
import java.util.zip.CRC32C;

/** Byte-level helpers shared by the file formats: big-endian fields, LEB128 varints, CRC32C. */
public final class Bytes {
  /** Unsigned lexicographic order of keys. */
  public static final Comparator<byte[]> KEY_ORDER = Arrays::compareUnsigned;

  private Bytes() {}

  public static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  public static int getInt(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
  }

  public static void putLong(byte[] b, int off, long v) {
    putInt(b, off, (int) (v >>> 32));
    putInt(b, off + 4, (int) v);
  }

  public static long getLong(byte[] b, int off) {
    return ((long) getInt(b, off) << 32) | (getInt(b, off + 4) & 0xFFFFFFFFL);
  }

  /** CRC32C of {@code b[off, off+len)}. */
  public static int crc32c(byte[] b, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(b, off, len);
    return (int) crc.getValue();
  }

  /** Length of the common prefix of two keys. */
  public static int sharedPrefix(byte[] a, byte[] b) {
    int mismatch = Arrays.mismatch(a, b);
    return mismatch < 0 ? a.length : mismatch;
  }
}
