package dev.cairn.store.internal.segment;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.util.ByteSink;
import dev.cairn.store.internal.util.ByteSource;
import java.nio.file.Path;

/** One record of a segment block: sequence, key and value. Immutable. */
public record SegmentRecord(long sequence, byte[] key, byte[] value, int nextOffset) {

  /** Appends the encoding of a record to a block's raw content. */
  public static void write(ByteSink raw, long sequence, byte[] key, byte[] value) {
    raw.putLong(sequence).putVarint(key.length).put(key).putVarint(value.length).put(value);
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
