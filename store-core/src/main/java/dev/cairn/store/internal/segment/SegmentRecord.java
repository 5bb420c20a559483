package dev.cairn.store.internal.segment;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.util.ByteSink;
import dev.cairn.store.internal.util.ByteSource;
import dev.cairn.store.internal.util.Bytes;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One record of a segment block, in the layout of its segment's version. Immutable.
 *
 * <p>Version 2 records hold the sequence and the value only: a segment is read through the index,
 * which holds every key, so the key is stored once, in the checkpoint. Version 1 records also
 * hold their key; they are still read, never written.
 *
 * @param key the key the record holds (version 1), or null (version 2)
 * @param nextOffset the offset of the next record in the block's raw content
 */
public record SegmentRecord(long sequence, byte[] key, byte[] value, int nextOffset) {

  /** Appends a version 2 record whose value is {@code value[offset, offset + length)}. */
  public static void write(ByteSink raw, long sequence, byte[] value, int offset, int length) {
    raw.putVarint(sequence).putVarint(length).put(value, offset, length);
  }

  /** Bytes a record takes in a raw block of a segment of {@code version}. */
  public static int bytes(int version, long sequence, int keyLength, int valueLength) {
    return version == SegmentFormat.VERSION_1
        ? 8 + Bytes.varintSize(keyLength) + keyLength + Bytes.varintSize(valueLength) + valueLength
        : Bytes.varintSize(sequence) + Bytes.varintSize(valueLength) + valueLength;
  }

  /**
   * The value of the record at {@code recordOffset}, which must hold {@code sequence} (and, in a
   * version 1 segment, {@code key}): a point read's check that the index and the block agree.
   *
   * @throws CorruptionException (naming the block) if the record is malformed or is another one
   */
  public static byte[] valueOf(Segment segment, long blockOffset, byte[] raw, int recordOffset, long sequence,
      byte[] key) {
    return valueOf(segment.version(), segment.path(), blockOffset, raw, recordOffset, sequence, key);
  }

  /** {@link #valueOf(Segment, long, byte[], int, long, byte[])} for a segment of {@code version} at {@code path}. */
  public static byte[] valueOf(int version, Path path, long blockOffset, byte[] raw, int recordOffset,
      long sequence, byte[] key) {
    try {
      ByteSource in = at(raw, recordOffset);
      boolean matches;
      if (version == SegmentFormat.VERSION_1) {
        long recordSequence = in.readLong();
        int keyLength = in.readLength();
        int keyOffset = in.position();
        in.skip(keyLength);
        matches = recordSequence == sequence && Arrays.equals(raw, keyOffset, keyOffset + keyLength, key, 0, key.length);
      } else {
        matches = in.readVarint() == sequence;
      }
      byte[] value = in.readBytes(in.readLength());
      if (!matches) {
        throw new CorruptionException(path, blockOffset,
            "record at block offset " + recordOffset + " is not the one the index expects");
      }
      return value;
    } catch (ByteSource.Truncated e) {
      throw malformed(path, blockOffset, recordOffset, e);
    }
  }

  /**
   * Decodes the record at {@code recordOffset} of a verified block's raw content, in the layout of
   * segment {@code version}.
   *
   * @throws CorruptionException (naming the block) if the record is malformed
   */
  public static SegmentRecord read(int version, Path path, long blockOffset, byte[] raw, int recordOffset) {
    try {
      ByteSource in = at(raw, recordOffset);
      long sequence = version == SegmentFormat.VERSION_1 ? in.readLong() : in.readVarint();
      byte[] key = version == SegmentFormat.VERSION_1 ? in.readBytes(in.readLength()) : null;
      byte[] value = in.readBytes(in.readLength());
      return new SegmentRecord(sequence, key, value, in.position());
    } catch (ByteSource.Truncated e) {
      throw malformed(path, blockOffset, recordOffset, e);
    }
  }

  private static ByteSource at(byte[] raw, int recordOffset) throws ByteSource.Truncated {
    if (recordOffset < 0 || recordOffset >= raw.length) {
      throw new ByteSource.Truncated("record offset " + recordOffset + " outside a " + raw.length + "-byte block");
    }
    return new ByteSource(raw, recordOffset, raw.length - recordOffset);
  }

  private static CorruptionException malformed(Path path, long blockOffset, int recordOffset, ByteSource.Truncated e) {
    return new CorruptionException(path, blockOffset, "malformed record at block offset " + recordOffset + ": "
        + e.getMessage());
  }
}
