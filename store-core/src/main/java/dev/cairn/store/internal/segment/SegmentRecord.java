package dev.cairn.store.internal.segment;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.util.ByteSink;
import dev.cairn.store.internal.util.ByteSource;
import java.nio.file.Path;

/** One record of a segment block: sequence, key and value. Immutable. */
public record SegmentRecord(long sequence, byte[] key, byte[] value, int nextOffset) {

  /** Appends the encoding of a record to a block's raw content. */
  public static void write(ByteSink raw, long sequence, byte[] key, byte[] value) {
    write(raw, sequence, key, value, 0, value.length);
  }

  /** Appends the encoding of a record whose value is {@code value[offset, offset + length)}. */
  public static void write(ByteSink raw, long sequence, byte[] key, byte[] value, int offset, int length) {
    raw.putLong(sequence).putVarint(key.length).put(key).putVarint(length).put(value, offset, length);
  }

  /**
   * The value of the record at {@code recordOffset}, which must hold {@code key} at {@code
   * sequence}: a point read's check that the index and the block agree, without copying the key.
   *
   * @throws CorruptionException (naming the block) if the record is malformed or is another one
   */
  public static byte[] valueOf(Path path, long blockOffset, byte[] raw, int recordOffset, long sequence, byte[] key) {
    try {
      if (recordOffset < 0 || recordOffset >= raw.length) {
        throw new ByteSource.Truncated("record offset " + recordOffset + " outside a " + raw.length + "-byte block");
      }
      ByteSource in = new ByteSource(raw, recordOffset, raw.length - recordOffset);
      long recordSequence = in.readLong();
      int keyLength = in.readLength();
      int keyOffset = in.position();
      in.skip(keyLength);
      byte[] value = in.readBytes(in.readLength());
      if (recordSequence != sequence
          || !java.util.Arrays.equals(raw, keyOffset, keyOffset + keyLength, key, 0, key.length)) {
        throw new CorruptionException(path, blockOffset,
            "record at block offset " + recordOffset + " is not the one the index expects");
      }
      return value;
    } catch (ByteSource.Truncated e) {
      throw new CorruptionException(path, blockOffset, "malformed record at block offset " + recordOffset + ": " + e.getMessage());
    }
  }

  /**
   * Decodes the record at {@code recordOffset} of a verified block's raw content.
   *
   * @throws CorruptionException (naming the block) if the record is malformed
   */
  public static SegmentRecord read(Path path, long blockOffset, byte[] raw, int recordOffset) {
    try {
      if (recordOffset < 0 || recordOffset >= raw.length) {
        throw new ByteSource.Truncated("record offset " + recordOffset + " outside a " + raw.length + "-byte block");
      }
      ByteSource in = new ByteSource(raw, recordOffset, raw.length - recordOffset);
      long sequence = in.readLong();
      byte[] key = in.readBytes(in.readLength());
      byte[] value = in.readBytes(in.readLength());
      return new SegmentRecord(sequence, key, value, in.position());
    } catch (ByteSource.Truncated e) {
      throw new CorruptionException(path, blockOffset, "malformed record at block offset " + recordOffset + ": " + e.getMessage());
    }
  }
}
