package dev.cairn.store.internal.index;

import dev.cairn.store.internal.util.Bytes;
import java.util.Arrays;

/**
 * The keys of a {@link SortedRun}, back to back in a few large byte arrays instead of one array
 * object per key. Immutable once {@linkplain Builder#build built}.
 *
 * <p>One object per key would cost a 16-byte header and a 4-byte reference more than its bytes,
 * and would sit wherever the collector last copied it: keys written in random order end up in
 * random order on the heap, so walking the run in key order (a scan, a checkpoint) meets a cache
 * miss per key. A store filled with random keys scanned about 4,700 runs of 1,000 entries a second
 * with the keys as objects, and about 16,000 once the same keys had been reloaded in key order.
 * Packed, neighbouring keys share cache lines whatever order they were written in.
 *
 * <p>Keys are in chunks of a power of two entries, at most {@link #MAX_CHUNK} and chosen from the
 * expected key length so that a chunk takes about {@link #CHUNK_BYTES} at most: entry {@code i}'s
 * key is in chunk {@code i >>> shift}. A chunk whose keys all
 * have one length {@code L} keeps no offsets: its key {@code j} is at {@code j * L}. Otherwise its
 * key {@code j} ends at {@code ends[j]} and starts where key {@code j - 1} ends (at 0 for {@code j
 * = 0}). Stores with keys of one length (ids, hashes, fixed-width encodings) save four bytes a key,
 * and a point read one dependent cache miss.
 */
final class PackedKeys {
  /** Most entries in a chunk. */
  static final int MAX_CHUNK = 1 << 15;
  /**
   * About the most bytes of keys a chunk holds. The G1 collector's smallest region is 1 MiB (on
   * heaps under 4 GiB), and it allocates an array of half a region or more as "humongous", in
   * whole regions of its own: chunks of 32,768 16-byte keys, 512 KiB and a header, each took a
   * region and left half of it unused, 16 bytes a key (72 instead of 58 bytes of heap per key after
   * opening a store of 1M keys with a 2 GiB heap). At 256 KiB a chunk stays an ordinary object even
   * when its keys run half as long again as expected.
   */
  static final int CHUNK_BYTES = 256 * 1024;
  /** In {@link #lengths}: the chunk's keys differ in length, and its {@link #ends} locate them. */
  private static final int MIXED = -1;

  /** Entry {@code i} is in chunk {@code i >>> shift}, at {@code i & mask}. */
  private final int shift;
  private final int mask;
  private final byte[][] chunks;
  /** Per chunk: the end offset of each key, or null if its keys have one length. */
  private final int[][] ends;
  /** Per chunk: the length of each of its keys, or {@link #MIXED}. */
  private final int[] lengths;

  private PackedKeys(int shift, byte[][] chunks, int[][] ends, int[] lengths) {
    this.shift = shift;
    this.mask = (1 << shift) - 1;
    this.chunks = chunks;
    this.ends = ends;
    this.lengths = lengths;
  }

  /**
   * The chunk shift for keys of about {@code expectedKeyBytes}: the most entries, up to {@link
   * #MAX_CHUNK}, whose keys take at most {@link #CHUNK_BYTES}.
   */
  static int shiftFor(int expectedKeyBytes) {
    int shift = Integer.numberOfTrailingZeros(MAX_CHUNK);
    while (shift > 0 && (long) Math.max(1, expectedKeyBytes) << shift > CHUNK_BYTES) {
      shift--;
    }
    return shift;
  }

  /** Entries per chunk. */
  int chunkSize() {
    return 1 << shift;
  }

  private int start(int i) {
    int c = i >>> shift;
    int j = i & mask;
    int[] e = ends[c];
    return e == null ? j * lengths[c] : j == 0 ? 0 : e[j - 1];
  }

  private int end(int i) {
    int c = i >>> shift;
    int[] e = ends[c];
    return e == null ? ((i & mask) + 1) * lengths[c] : e[i & mask];
  }

  /** A copy of key {@code i}. */
  byte[] key(int i) {
    return Arrays.copyOfRange(chunks[i >>> shift], start(i), end(i));
  }

  /** {@link Bytes#compareKeys(byte[], byte[])} of key {@code i} and {@code key}. */
  int compare(int i, byte[] key) {
    return Bytes.compareKeys(chunks[i >>> shift], start(i), end(i), key);
  }

  /** Bytes the chunks take: the keys and the slack left untrimmed; an estimate for sizing a copy. */
  long bytes() {
    long total = 0;
    for (byte[] chunk : chunks) {
      total += chunk.length;
    }
    return total;
  }

  /**
   * Collects keys in order, each chunk's into one array sized from the expected key length: grown
   * if the keys take more, trimmed if they take an eighth less or more, so that keys of one length
   * are copied once. A chunk's end offsets are written only once a key of another length than its
   * first arrives.
   */
  static final class Builder {
    private final int shift;
    private final int chunkSize;
    private final int mask;
    private final byte[][] chunks;
    private final int[][] ends;
    private final int[] lengths;
    private final int capacity;
    private final int expectedKeyBytes;
    private byte[] chunk;
    private int used;
    /** The current chunk's end offsets; null while its keys have one length, {@link #length}. */
    private int[] chunkEnds;
    private int length;
    private int count;

    /** A builder for at most {@code capacity} keys of about {@code expectedKeyBytes} each. */
    Builder(int capacity, int expectedKeyBytes) {
      this.shift = shiftFor(expectedKeyBytes);
      this.chunkSize = 1 << shift;
      this.mask = chunkSize - 1;
      int chunkCount = (int) (((long) capacity + mask) >>> shift);
      this.chunks = new byte[chunkCount][];
      this.ends = new int[chunkCount][];
      this.lengths = new int[chunkCount];
      this.capacity = capacity;
      this.expectedKeyBytes = Math.max(1, expectedKeyBytes);
    }

    /** Appends {@code key}. */
    void add(byte[] key) {
      if (count == capacity) {
        throw new IllegalStateException("builder is full: " + capacity + " keys");
      }
      reserve(key.length);
      System.arraycopy(key, 0, chunk, used, key.length);
      used += key.length;
      noteEnd(count & mask, key.length, used);
      count++;
      if ((count & mask) == 0) {
        closeChunk();
      }
    }

    /** Appends keys {@code [i, i + n)} of {@code from}, in as few copies as chunk boundaries allow. */
    void add(PackedKeys from, int i, int n) {
      if (n > capacity - count) {
        throw new IllegalStateException("builder is full: " + capacity + " keys");
      }
      while (n > 0) {
        int k = Math.min(n, Math.min(from.chunkSize() - (i & from.mask), chunkSize - (count & mask)));
        int start = from.start(i);
        int bytes = from.end(i + k - 1) - start;
        reserve(bytes);
        System.arraycopy(from.chunks[i >>> from.shift], start, chunk, used, bytes);
        int j = count & mask;
        int fromLength = from.lengths[i >>> from.shift];
        if (fromLength != MIXED && chunkEnds == null && (j == 0 || fromLength == length)) {
          length = fromLength; // still one length: no offsets to write
        } else {
          int shift = used - start;
          for (int m = 0; m < k; m++) {
            int end = from.end(i + m);
            noteEnd(j + m, end - from.start(i + m), end + shift);
          }
        }
        used += bytes;
        count += k;
        i += k;
        n -= k;
        if ((count & mask) == 0) {
          closeChunk();
        }
      }
    }

    /** Records that the current chunk's key {@code j}, of {@code keyLength} bytes, ends at {@code end}. */
    private void noteEnd(int j, int keyLength, int end) {
      if (chunkEnds == null) {
        if (j == 0) {
          length = keyLength;
          return;
        }
        if (keyLength == length) {
          return;
        }
        chunkEnds = new int[Math.min(chunkSize, capacity - (count - (count & mask)))];
        for (int m = 0; m < j; m++) {
          chunkEnds[m] = (m + 1) * length;
        }
      }
      chunkEnds[j] = end;
    }

    private void reserve(int bytes) {
      if (chunk == null) {
        int keys = Math.min(chunkSize, capacity - count);
        chunk = new byte[(int) Math.min(Integer.MAX_VALUE - 8, (long) keys * expectedKeyBytes + 64)];
      }
      if (used + bytes > chunk.length) {
        // A chunk of keys of at most MAX_KEY_BYTES stays far below 2 GiB: 32,768 × 16 KiB is 512 MiB.
        chunk = Arrays.copyOf(chunk, Math.max(used + bytes, chunk.length + (chunk.length >>> 1)));
      }
    }

    private void closeChunk() {
      int c = (count - 1) >>> shift;
      byte[] keys = chunk == null ? new byte[0] : chunk;
      chunks[c] = keys.length - used > used >>> 3 ? Arrays.copyOf(keys, used) : keys;
      ends[c] = chunkEnds;
      lengths[c] = chunkEnds == null ? length : MIXED;
      chunk = null;
      chunkEnds = null;
      used = 0;
    }

    /** Keys added so far. */
    int count() {
      return count;
    }

    /** The keys added; chunks past them (capacity not used) are empty. */
    PackedKeys build() {
      if ((count & mask) != 0) {
        closeChunk();
      }
      for (int c = 0; c < chunks.length; c++) {
        if (chunks[c] == null) {
          chunks[c] = new byte[0];
        }
      }
      return new PackedKeys(shift, chunks, ends, lengths);
    }
  }
}
