package dev.cairn.store.internal.index;

import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.segment.SegmentRecord;

/**
 * One version of one key's value, as the in-memory index holds it. Three shapes:
 *
 * <ul>
 *   <li>in memory: {@code value != null}; written since the last flush, still only in the WAL. The
 *       value is {@code value[recordOffset, recordOffset + valueLength)}, a slice of an index
 *       arena chunk (or, for a large value, of its WAL record) that never changes;
 *   <li>stored: {@code segment != null}; the record at ({@code blockOffset}, {@code recordOffset})
 *       of that segment;
 *   <li>tombstone: both null; a delete, kept only while a snapshot may still need what it hides.
 * </ul>
 *
 * <p>Immutable but for {@link #prev}, the next older version, which is kept only while an open
 * snapshot may read it, and the {@link #uncountedBelow} flag. {@code prev} is written only under
 * the index write lock and read without it: trimming only ever cuts versions older than what
 * every open snapshot needs.
 *
 * <p>Size matters: with compressed oops this is 48 bytes (the flag fills padding). The index's base
 * run does not keep one per key: it packs versions without history into arrays and builds a
 * new object from them on each read ({@link SortedRun}), so two reads of the same head need not
 * return the same object. Such a version has no {@link #prev}, and its {@link #uncountedBelow}
 * flag, which only the active and frozen maps use, is false.
 */
public final class Version {
  public final long sequence;
  public final Segment segment;
  public final byte[] value;
  public final int blockOffset;
  public final int recordOffset;
  public final int valueLength;
  public volatile Version prev;
  /**
   * Set while a version of the same key in a lower level of the index, hidden by this one, may
   * still count in the live totals: a put of a key new to the active map does not look below it.
   * The merge that meets both versions (or {@link KeyIndex#settle()}) counts the hidden one out and
   * clears this. Read and written under the index write lock, except that a merge reads it as a
   * hint and checks again under the lock, and a move ({@link KeyIndex#replaceHeads}) copies it to
   * the replacement under the read lock, which keeps commits out.
   */
  boolean uncountedBelow;

  private Version(long sequence, Segment segment, byte[] value, int blockOffset, int recordOffset,
      int valueLength, Version prev) {
    this.sequence = sequence;
    this.segment = segment;
    this.value = value;
    this.blockOffset = blockOffset;
    this.recordOffset = recordOffset;
    this.valueLength = valueLength;
    this.prev = prev;
  }

  /** An in-memory version whose value is {@code buffer[offset, offset + length)}, which must never change. */
  public static Version inMemory(long sequence, byte[] buffer, int offset, int length, Version prev) {
    return new Version(sequence, null, buffer, 0, offset, length, prev);
  }

  /** A copy of an in-memory version's value. */
  public byte[] copyOfValue() {
    return java.util.Arrays.copyOfRange(value, recordOffset, recordOffset + valueLength);
  }

  public static Version stored(long sequence, Segment segment, long blockOffset, int recordOffset,
      int valueLength, Version prev) {
    if (blockOffset > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("block offset " + blockOffset + " beyond 2 GiB");
    }
    return new Version(sequence, segment, null, (int) blockOffset, recordOffset, valueLength, prev);
  }

  public static Version tombstone(long sequence, Version prev) {
    return new Version(sequence, null, null, 0, 0, 0, prev);
  }

  public boolean isTombstone() {
    return segment == null && value == null;
  }

  public boolean isInMemory() {
    return value != null;
  }

  public boolean isStored() {
    return segment != null;
  }

  /** The newest version in this chain with a sequence at or below {@code sequence}, or null. */
  public Version visibleAt(long sequence) {
    Version v = this;
    while (v != null && v.sequence > sequence) {
      v = v.prev;
    }
    return v;
  }

  /** Bytes the record of this stored version, of a key of {@code keyLength}, takes in its segment's raw block. */
  public int recordBytes(int keyLength) {
    return SegmentRecord.bytes(segment.version(), sequence, keyLength, valueLength);
  }
}
