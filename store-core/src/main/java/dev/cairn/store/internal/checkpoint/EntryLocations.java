package dev.cairn.store.internal.checkpoint;

import dev.cairn.store.internal.util.Bytes;

/**
 * The cursors that version 2 checkpoint entries code a record's location against (docs/FORMAT.md,
 * "Entry"). Each segment has {@link #CURSORS} of them per checkpoint block; an entry names one
 * (its slot is segmentIndex × CURSORS + cursor), codes its location as differences from it, and
 * moves it to the end of its record, so a record that directly follows the one a cursor last
 * pointed at codes as two zero bytes. Several cursors let a segment that compaction built from
 * several key-ordered runs code each run's entries against that run's own position. The writer
 * and the reader keep one each and feed them the same entries, so both see the same cursors. Not
 * thread-safe.
 */
final class EntryLocations {
  /** Cursors per segment. Codes are frozen: a change is a new checkpoint version. */
  static final int CURSORS = 4;

  private final long[] blockOffsets;
  private final long[] recordEnds;
  /** The block each cursor was set in; any other block starts it from zero. */
  private final int[] blocks;
  /** The entry count at each cursor's last use: the writer reuses the least recently used one. */
  private final long[] used;
  private int block = 1;
  private long entries;

  EntryLocations(int segmentCount) {
    int slots = segmentCount * CURSORS;
    blockOffsets = new long[slots];
    recordEnds = new long[slots];
    blocks = new int[slots];
    used = new long[slots];
  }

  /** Resets every cursor to zero: entries of a new checkpoint block decode without the earlier blocks. */
  void newBlock() {
    block++;
  }

  /** What slot {@code slot}'s next block offset is coded against. */
  long blockBase(int slot) {
    return blocks[slot] == block ? blockOffsets[slot] : 0;
  }

  /** What a record offset in block {@code blockOffset} is coded against through slot {@code slot}. */
  long recordBase(int slot, long blockOffset) {
    return blocks[slot] == block && blockOffsets[slot] == blockOffset ? recordEnds[slot] : 0;
  }

  /**
   * The slot the writer codes a location of segment {@code segmentIndex} through: a cursor the
   * record directly follows, else the one whose differences take the fewest bytes, the least
   * recently used among equals (so a new run takes a cursor no other run is following).
   */
  int choose(int segmentIndex, long blockOffset, long recordOffset) {
    int best = -1;
    int bestCost = Integer.MAX_VALUE;
    for (int slot = segmentIndex * CURSORS; slot < (segmentIndex + 1) * CURSORS; slot++) {
      long blockDelta = blockOffset - blockBase(slot);
      long recordDelta = recordOffset - recordBase(slot, blockOffset);
      if (blockDelta == 0 && recordDelta == 0) {
        return slot; // the record that follows this cursor's
      }
      int cost = Bytes.varintSize(zigzag(blockDelta)) + Bytes.varintSize(zigzag(recordDelta));
      if (cost < bestCost || (cost == bestCost && lastUse(slot) < lastUse(best))) {
        best = slot;
        bestCost = cost;
      }
    }
    return best;
  }

  private long lastUse(int slot) {
    return blocks[slot] == block ? used[slot] : -1;
  }

  /** Moves cursor {@code slot} to the end of an entry's record, sized as a version 2 segment record. */
  void advance(int slot, long blockOffset, long recordOffset, long sequence, long valueLength) {
    blocks[slot] = block;
    blockOffsets[slot] = blockOffset;
    recordEnds[slot] = recordOffset + Bytes.varintSize(sequence) + Bytes.varintSize(valueLength) + valueLength;
    used[slot] = ++entries;
  }

  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }
}
