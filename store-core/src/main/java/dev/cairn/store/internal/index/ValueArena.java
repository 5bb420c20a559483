package dev.cairn.store.internal.index;

/**
 * Where the index copies the values of in-memory versions: chunks of just under 1 MiB filled front
 * to back, a value never split across two. Not thread-safe: only the index's writer, under the
 * write lock, copies into it; versions then read their slices, which never change.
 *
 * <p>Values written since the last flush live until the flush, long enough for young garbage
 * collections to copy each one, often twice, if each sat in an array of its own (or in its WAL
 * record). A chunk is not copied: G1 allocates an array of half a region or more outside the young
 * generation, and frees it without copying once no version points into it (a flush replaces them
 * all). Values over 1/8 of a chunk keep their own array.
 *
 * <p>A chunk with its array header is exactly 1 MiB, G1's smallest region (heaps under 4 GiB have
 * regions of that size): a chunk of 1 MiB of data took two regions, and so twice its size in heap.
 */
final class ValueArena {
  /** 1 MiB less the 16-byte header of a {@code byte[]} on a 64-bit JVM. */
  static final int CHUNK_BYTES = (1 << 20) - 16;
  static final int MAX_VALUE_BYTES = CHUNK_BYTES / 8;

  private byte[] chunk;
  private int used;
  private int lastOffset;

  /**
   * Copies {@code value[offset, offset + length)}, {@code length <= MAX_VALUE_BYTES}, into the
   * current chunk (a new one if it is full); returns the chunk, with the copy at {@link
   * #lastOffset()}.
   */
  byte[] copy(byte[] value, int offset, int length) {
    if (chunk == null || CHUNK_BYTES - used < length) {
      chunk = new byte[CHUNK_BYTES];
      used = 0;
    }
    System.arraycopy(value, offset, chunk, used, length);
    lastOffset = used;
    used += length;
    return chunk;
  }

  /** Where the last {@link #copy} put its value. */
  int lastOffset() {
    return lastOffset;
  }
}
