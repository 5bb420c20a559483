package dev.cairn.store.internal.wal;

import dev.cairn.store.WriteBatch;
import dev.cairn.store.internal.util.Bytes;
import dev.cairn.store.internal.util.ByteSource;

/**
 * One commit as stored in the WAL: a sequence number and its operations. Immutable once sealed.
 * A record is encoded by the committing thread before it has a sequence; the group-commit leader
 * then {@link #seal seals} it with its sequence and checksum.
 */
public final class WalRecord {
  private static final int SEQUENCE_OFFSET = WalFormat.RECORD_HEADER_BYTES;

  private final byte[] bytes;
  private final byte[][] keys;
  private final byte[][] values; // null marks a delete
  private final int[] valueOffsets; // where each value lies in bytes; null for a decoded record
  private long sequence;

  private WalRecord(byte[] bytes, byte[][] keys, byte[][] values, int[] valueOffsets, long sequence) {
    this.bytes = bytes;
    this.keys = keys;
    this.values = values;
    this.valueOffsets = valueOffsets;
    this.sequence = sequence;
  }

  /** Encodes the operations of {@code batch}; the keys and values are shared, not copied. */
  public static WalRecord encode(WriteBatch batch) {
    int count = batch.size();
    byte[][] keys = new byte[count][];
    byte[][] values = new byte[count][];
    long[] payloadLength = {WalFormat.MIN_PAYLOAD_BYTES};
    batch.forEach(new WriteBatch.Handler() {
      private int next;

      @Override
      public void put(byte[] key, byte[] value) {
        payloadLength[0] += opBytes(key, value);
        keys[next] = key;
        values[next++] = value;
      }

      @Override
      public void delete(byte[] key) {
        payloadLength[0] += opBytes(key, null);
        keys[next++] = key;
      }
    });
    return encode(keys, values, payloadLength[0]);
  }

  /**
   * Encodes one put ({@code value} non-null) or delete of {@code key}: what {@link
   * #encode(WriteBatch)} makes of a one-operation batch. The arrays are shared, not copied: the
   * caller has validated both and copied the key; the value is read only here, into the record.
   */
  public static WalRecord encodeSingle(byte[] key, byte[] value) {
    return encode(new byte[][] {key}, new byte[][] {value}, WalFormat.MIN_PAYLOAD_BYTES + opBytes(key, value));
  }

  /** Bytes one operation takes in a payload. */
  private static long opBytes(byte[] key, byte[] value) {
    long n = 1 + Bytes.varintSize(key.length) + key.length;
    return value == null ? n : n + Bytes.varintSize(value.length) + value.length;
  }

  /** Writes the record into an array of exactly its size; sequence and checksum wait for {@link #seal}. */
  private static WalRecord encode(byte[][] keys, byte[][] values, long payloadLength) {
    if (payloadLength > WalFormat.MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("batch encodes to " + payloadLength
          + " bytes; one commit is at most " + WalFormat.MAX_PAYLOAD_BYTES);
    }
    byte[] bytes = new byte[WalFormat.RECORD_HEADER_BYTES + (int) payloadLength];
    Bytes.putInt(bytes, 0, (int) payloadLength);
    Bytes.putInt(bytes, SEQUENCE_OFFSET + 8, keys.length);
    int at = SEQUENCE_OFFSET + 12;
    int[] valueOffsets = new int[keys.length];
    for (int i = 0; i < keys.length; i++) {
      byte[] key = keys[i];
      byte[] value = values[i];
      bytes[at++] = (byte) (value == null ? WalFormat.OP_DELETE : WalFormat.OP_PUT);
      at = putVarint(bytes, at, key.length);
      System.arraycopy(key, 0, bytes, at, key.length);
      at += key.length;
      if (value != null) {
        at = putVarint(bytes, at, value.length);
        System.arraycopy(value, 0, bytes, at, value.length);
        valueOffsets[i] = at;
        at += value.length;
      }
    }
    return new WalRecord(bytes, keys, values, valueOffsets, 0);
  }

  /** Unsigned LEB128, as {@link dev.cairn.store.internal.util.ByteSink#putVarint}; returns the next offset. */
  private static int putVarint(byte[] b, int at, int v) {
    while ((v & ~0x7F) != 0) {
      b[at++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[at++] = (byte) v;
    return at;
  }

  /** Sets the sequence and the checksum. */
  public void seal(long sequence) {
    this.sequence = sequence;
    Bytes.putLong(bytes, SEQUENCE_OFFSET, sequence);
    Bytes.putInt(bytes, 4, WalFormat.recordCrc(bytes, 0, bytes.length - WalFormat.RECORD_HEADER_BYTES));
  }

  /**
   * Decodes the payload of a record whose checksum was verified.
   *
   * @throws ByteSource.Truncated if the payload is malformed
   */
  static WalRecord decodePayload(byte[] file, int payloadOffset, int payloadLength) throws ByteSource.Truncated {
    ByteSource in = new ByteSource(file, payloadOffset, payloadLength);
    long sequence = in.readLong();
    int count = in.readInt();
    if (count < 0 || count > payloadLength) {
      throw new ByteSource.Truncated("operation count " + count + " is impossible");
    }
    byte[][] keys = new byte[count][];
    byte[][] values = new byte[count][];
    for (int i = 0; i < count; i++) {
      int kind = in.readByte();
      keys[i] = in.readBytes(in.readLength());
      if (kind == WalFormat.OP_PUT) {
        values[i] = in.readBytes(in.readLength());
      } else if (kind != WalFormat.OP_DELETE) {
        throw new ByteSource.Truncated("unknown operation kind " + kind);
      }
    }
    if (in.hasRemaining()) {
      throw new ByteSource.Truncated(in.remaining() + " bytes follow the last operation");
    }
    return new WalRecord(null, keys, values, null, sequence);
  }

  /** The encoded record, header included; null for a decoded record. */
  public byte[] bytes() {
    return bytes;
  }

  public long sequence() {
    return sequence;
  }

  public int size() {
    return keys.length;
  }

  public byte[] key(int i) {
    return keys[i];
  }

  /**
   * The value of operation {@code i} as given to the encoder (the caller's array, which may have
   * changed since), or as decoded; null for a delete. Readers of what was committed use {@link
   * #valueBuffer}.
   */
  public byte[] value(int i) {
    return values[i];
  }

  /**
   * The array that holds the committed value of operation {@code i} (null for a delete), at
   * {@link #valueOffset}: the encoded record itself, or the decoded value.
   */
  public byte[] valueBuffer(int i) {
    return values[i] == null ? null : bytes != null ? bytes : values[i];
  }

  /** Where in {@link #valueBuffer} the value of operation {@code i} starts. */
  public int valueOffset(int i) {
    return valueOffsets == null ? 0 : valueOffsets[i];
  }
}
