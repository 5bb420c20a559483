package dev.cairn.store.internal.wal;

import dev.cairn.store.WriteBatch;
import dev.cairn.store.internal.util.ByteSink;
import dev.cairn.store.internal.util.Bytes;
import dev.cairn.store.internal.util.ByteSource;
import java.util.ArrayList;
import java.util.List;

/**
 * One commit as stored in the WAL: a sequence number and its operations. Immutable once sealed.
 * A record is encoded by the committing thread before it has a sequence; the group-commit leader
 * then {@link #seal seals} it with its sequence and checksum.
 */
public final class WalRecord {
  private static final int SEQUENCE_OFFSET = WalFormat.RECORD_HEADER_BYTES;

  private final byte[] bytes;
  private final List<byte[]> keys;
  private final List<byte[]> values; // null marks a delete
  private long sequence;

  private WalRecord(byte[] bytes, List<byte[]> keys, List<byte[]> values, long sequence) {
    this.bytes = bytes;
    this.keys = keys;
    this.values = values;
    this.sequence = sequence;
  }

  /** Encodes the operations of {@code batch}; the keys and values are shared, not copied. */
  public static WalRecord encode(WriteBatch batch) {
    List<byte[]> keys = new ArrayList<>(batch.size());
    List<byte[]> values = new ArrayList<>(batch.size());
    ByteSink sink = new ByteSink((int) Math.min(Integer.MAX_VALUE - 64, batch.byteCount() + 16L * batch.size() + 32));
    sink.skip(WalFormat.RECORD_HEADER_BYTES);
    sink.putLong(0);
    sink.putInt(batch.size());
    batch.forEach(new WriteBatch.Handler() {
      @Override
      public void put(byte[] key, byte[] value) {
        sink.putByte(WalFormat.OP_PUT).putVarint(key.length).put(key).putVarint(value.length).put(value);
        keys.add(key);
        values.add(value);
      }

      @Override
      public void delete(byte[] key) {
        sink.putByte(WalFormat.OP_DELETE).putVarint(key.length).put(key);
        keys.add(key);
        values.add(null);
      }
    });
    int payloadLength = sink.size() - WalFormat.RECORD_HEADER_BYTES;
    if (payloadLength > WalFormat.MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("batch encodes to " + payloadLength
          + " bytes; one commit is at most " + WalFormat.MAX_PAYLOAD_BYTES);
    }
    byte[] bytes = sink.toByteArray();
    Bytes.putInt(bytes, 0, payloadLength);
    return new WalRecord(bytes, keys, values, 0);
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
    List<byte[]> keys = new ArrayList<>(count);
    List<byte[]> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int kind = in.readByte();
      byte[] key = in.readBytes(in.readLength());
      if (kind == WalFormat.OP_PUT) {
        values.add(in.readBytes(in.readLength()));
      } else if (kind == WalFormat.OP_DELETE) {
        values.add(null);
      } else {
        throw new ByteSource.Truncated("unknown operation kind " + kind);
      }
      keys.add(key);
    }
    if (in.hasRemaining()) {
      throw new ByteSource.Truncated(in.remaining() + " bytes follow the last operation");
    }
    return new WalRecord(null, keys, values, sequence);
  }

  /** The encoded record, header included; null for a decoded record. */
  public byte[] bytes() {
    return bytes;
  }

  public long sequence() {
    return sequence;
  }

  public int size() {
    return keys.size();
  }

  public byte[] key(int i) {
    return keys.get(i);
  }

  /** The value of operation {@code i}, or null for a delete. */
  public byte[] value(int i) {
    return values.get(i);
  }
}
