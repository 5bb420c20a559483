package dev.cairn.store.internal.checkpoint;

/**
 * The bases that version 2 checkpoint entries code a record's location against (docs/FORMAT.md,
 * "Entry"). For each segment it remembers, within one checkpoint block, the block and the end of
 * the previous entry's record: a record that directly follows it codes as two zeros. The writer
 * and the reader keep one each and feed them the same entries, so both see the same bases. Not
 * thread-safe.
 */
final class EntryLocations {
  private final long[] blockOffsets;
  private final long[] recordEnds;
  /** The block each segment's bases were set in; any other block starts from zero. */
  private final int[] blocks;
  private int block = 1;

  EntryLocations(int segmentCount) {
    blockOffsets = new long[segmentCount];
    recordEnds = new long[segmentCount];
    blocks = new int[segmentCount];
  }

  /** Forgets every base: entries of a new checkpoint block code against zero, so each block decodes alone. */
  void newBlock() {
    block++;
  }

  /** What the block offset of segment {@code segmentIndex}'s next entry is coded against. */
  long blockBase(int segmentIndex) {
    return blocks[segmentIndex] == block ? blockOffsets[segmentIndex] : 0;
  }

  /** What a record offset in {@code blockOffset} of segment {@code segmentIndex} is coded against. */
  long recordBase(int segmentIndex, long blockOffset) {
    return blocks[segmentIndex] == block && blockOffsets[segmentIndex] == blockOffset ? recordEnds[segmentIndex] : 0;
  }

  /** Records an entry: the end of its record is where a version 2 segment record would end. */
  void advance(int segmentIndex, long blockOffset, long recordOffset, long sequence, long valueLength) {
    blocks[segmentIndex] = block;
    blockOffsets[segmentIndex] = blockOffset;
    recordEnds[segmentIndex] = recordOffset + varintSize(sequence) + varintSize(valueLength) + valueLength;
  }

  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  private static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }
}
