package dev.cairn.store.internal.util;

/**
 * A bounds-checked big-endian reader over a byte range. Every read that would run past the end
 * throws {@link Truncated}, and every length it returns is checked against what remains, so a
 * corrupted length can never drive a large allocation. Not thread-safe.
 */
public final class ByteSource {
  /** Thrown when a read runs past the end of the range. */
  public static final class Truncated extends Exception {
    private static final long serialVersionUID = 1L;

    public Truncated(String message) {
      super(message, null, false, false);
    }
  }

  private final byte[] buf;
  private final int end;
  private int pos;

  public ByteSource(byte[] buf, int off, int len) {
    this.buf = buf;
    this.pos = off;
    this.end = off + len;
  }

  public int position() {
    return pos;
  }

  public int remaining() {
    return end - pos;
  }

  public boolean hasRemaining() {
    return pos < end;
  }

  public byte[] array() {
    return buf;
  }

  public int readByte() throws Truncated {
    need(1);
    return buf[pos++] & 0xFF;
  }

  public int readInt() throws Truncated {
    need(4);
    int v = Bytes.getInt(buf, pos);
    pos += 4;
    return v;
  }

  public long readLong() throws Truncated {
    need(8);
    long v = Bytes.getLong(buf, pos);
    pos += 8;
    return v;
  }

  public long readVarint() throws Truncated {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new Truncated("varint longer than 10 bytes at " + (pos - 10));
  }

  /** A varint that is a length of bytes that must follow in this range. */
  public int readLength() throws Truncated {
    long n = readVarint();
    if (n < 0 || n > remaining()) {
      throw new Truncated("length " + n + " exceeds the " + remaining() + " bytes that remain");
    }
    return (int) n;
  }

  public byte[] readBytes(int n) throws Truncated {
    need(n);
    byte[] out = new byte[n];
    System.arraycopy(buf, pos, out, 0, n);
    pos += n;
    return out;
  }

  public void skip(int n) throws Truncated {
    need(n);
    pos += n;
  }

  private void need(int n) throws Truncated {
    if (n < 0 || n > end - pos) {
      throw new Truncated("needs " + n + " bytes at " + pos + ", " + (end - pos) + " remain");
    }
  }
}
