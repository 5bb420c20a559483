package dev.cairn.store.internal.util;

import java.util.Arrays;

/** A growable big-endian byte buffer for encoding records, blocks and checkpoints. Not thread-safe. */
public final class ByteSink {
  private byte[] buf;
  private int size;

  public ByteSink(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  public int size() {
    return size;
  }

  /** The backing array; valid up to {@link #size()}. */
  public byte[] array() {
    return buf;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  public void reset() {
    size = 0;
  }

  /** Drops everything after the first {@code newSize} bytes. */
  public void truncate(int newSize) {
    if (newSize < 0 || newSize > size) {
      throw new IndexOutOfBoundsException("truncate to " + newSize + " of " + size);
    }
    size = newSize;
  }

  /** Reserves {@code n} bytes and returns their offset, for fields filled in later. */
  public int skip(int n) {
    ensure(n);
    int at = size;
    size += n;
    return at;
  }

  public ByteSink putByte(int v) {
    ensure(1);
    buf[size++] = (byte) v;
    return this;
  }

  public ByteSink putInt(int v) {
    ensure(4);
    Bytes.putInt(buf, size, v);
    size += 4;
    return this;
  }

  public ByteSink putLong(long v) {
    ensure(8);
    Bytes.putLong(buf, size, v);
    size += 8;
    return this;
  }

  /** Unsigned LEB128: 7 bits a byte, low bits first, high bit set on all but the last byte. */
  public ByteSink putVarint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
    return this;
  }

  public ByteSink put(byte[] src) {
    return put(src, 0, src.length);
  }

  public ByteSink put(byte[] src, int off, int len) {
    ensure(len);
    System.arraycopy(src, off, buf, size, len);
    size += len;
    return this;
  }

  private void ensure(int n) {
    if (size + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    }
  }
}
