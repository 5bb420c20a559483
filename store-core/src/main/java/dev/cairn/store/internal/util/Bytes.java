package dev.cairn.store.internal.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Comparator;
import java.util.zip.CRC32C;

/** Byte-level helpers shared by the file formats: big-endian fields, LEB128 varints, CRC32C. */
public final class Bytes {
  private static final VarHandle LONG_BIG_ENDIAN =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /**
   * Unsigned lexicographic order of keys, a proper prefix first: the order of {@link
   * Arrays#compareUnsigned(byte[], byte[])}, computed by {@link #compareKeys}.
   */
  public static final Comparator<byte[]> KEY_ORDER = Bytes::compareKeys;

  private Bytes() {}

  /**
   * Compares two keys as {@link Arrays#compareUnsigned(byte[], byte[])} does (same sign), eight
   * bytes at a time: a big-endian long compared unsigned orders exactly as its eight bytes do.
   * Keys of a few dozen bytes, the common case, are decided in one or two steps without the setup
   * cost of the JDK's vectorized mismatch.
   */
  public static int compareKeys(byte[] a, byte[] b) {
    return compareKeys(a, 0, a.length, b);
  }

  /** {@link #compareKeys(byte[], byte[])} of the key in {@code a[aFrom, aTo)} and key {@code b}. */
  public static int compareKeys(byte[] a, int aFrom, int aTo, byte[] b) {
    int aLength = aTo - aFrom;
    int common = Math.min(aLength, b.length);
    int i = 0;
    for (; i + Long.BYTES <= common; i += Long.BYTES) {
      long x = (long) LONG_BIG_ENDIAN.get(a, aFrom + i);
      long y = (long) LONG_BIG_ENDIAN.get(b, i);
      if (x != y) {
        return Long.compareUnsigned(x, y);
      }
    }
    for (; i < common; i++) {
      int d = (a[aFrom + i] & 0xFF) - (b[i] & 0xFF);
      if (d != 0) {
        return d;
      }
    }
    return aLength - b.length;
  }

  /**
   * The first eight bytes of {@code key} as a big-endian long, zero-padded when the key is
   * shorter. Compared unsigned, prefixes order as their keys do, except that keys with equal
   * prefixes (one may be a zero-padded proper prefix of the other) still need {@link #compareKeys}.
   */
  public static long keyPrefix(byte[] key) {
    if (key.length >= Long.BYTES) {
      return (long) LONG_BIG_ENDIAN.get(key, 0);
    }
    long p = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      p = (p << 8) | (i < key.length ? key[i] & 0xFF : 0);
    }
    return p;
  }

  /**
   * The {@code bits} bits of {@code prefix} after its first {@code shift} ({@code 1 <= bits <= 64 -
   * shift}): the bucket of a key prefix when every prefix being bucketed shares its first {@code
   * shift} bits. Buckets order as their prefixes do.
   */
  public static int prefixBucket(long prefix, int shift, int bits) {
    return (int) ((prefix << shift) >>> (64 - bits));
  }

  /**
   * Compares two keys given with their {@link #keyPrefix prefixes}: one unsigned {@code long}
   * comparison decides most pairs, and only equal prefixes need {@link #compareKeys}.
   */
  public static int compareKeys(long prefixA, byte[] a, long prefixB, byte[] b) {
    int c = Long.compareUnsigned(prefixA, prefixB);
    return c != 0 ? c : compareKeys(a, b);
  }

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

  /** Bytes the unsigned LEB128 varint of {@code v} takes (1 to 10), as {@code ByteSink.putVarint} writes it. */
  public static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  /** Length of the common prefix of two keys. */
  public static int sharedPrefix(byte[] a, byte[] b) {
    int mismatch = Arrays.mismatch(a, b);
    return mismatch < 0 ? a.length : mismatch;
  }
}
