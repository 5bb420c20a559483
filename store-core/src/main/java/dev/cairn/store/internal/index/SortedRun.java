package dev.cairn.store.internal.index;

import dev.cairn.store.internal.util.Bytes;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The bottom level of the {@link KeyIndex}: keys in strictly ascending unsigned order, each with
 * its newest version, in parallel (chunked) arrays. The keys of a run never change once it is
 * built; a version slot changes only under the index's write lock, when flush or compaction moves a
 * head to a new location, and readers read slots without that lock (the old and the new version
 * are both valid locations of the same value).
 *
 * <p>A lookup binary-searches the first eight bytes of each key, kept as longs in one array, and
 * compares whole keys only where those are equal: for keys that differ early (random or hashed
 * keys) a search touches a sample of the prefixes, a few neighbouring prefixes and a single key. A
 * run costs about 16 bytes per key beyond the keys and versions themselves.
 */
final class SortedRun {
  static final SortedRun EMPTY = new SortedRun(new byte[0][], new Version[0], 0);

  /**
   * Keys and versions in chunks of {@link #CHUNK} references: entry {@code i} is at {@code
   * [i >>> CHUNK_SHIFT][i & CHUNK_MASK]}. A run of a million entries in two flat reference arrays
   * would be two "humongous" objects to the G1 collector, allocated straight into the old
   * generation: every reference in them to a young object dirties a card that each young collection
   * scans, and once a merge replaces the run, the dead arrays keep scanning and keeping young
   * objects alive until a concurrent cycle frees them. Chunks of 128 KiB are ordinary objects.
   */
  private final byte[][][] keys;
  private final long[] prefixes;
  private final Version[][] versions;
  private final int size;
  /**
   * How many of the versions are tombstones (kept for snapshots). A slot's version only ever
   * changes from one location of a value to another (memory to segment, segment to segment), never
   * to or from a tombstone, so this holds for the run's life; while it is 0, a merge need not look
   * at this run's versions at all, which are scattered over the heap.
   */
  private final int tombstones;
  /**
   * Every {@code 2^SAMPLE_SHIFT}-th prefix: a search first looks here (1/16 of the prefixes, half a
   * byte per key, mostly in cache), then among the 16 entries between two samples, two cache lines
   * of prefixes. Sampling every 64th prefix left four lines to search, and lookups of 1M random keys
   * took 8-13% longer (three runs of a benchmark alternating the two in one JVM).
   */
  private final long[] samples;

  private static final int SAMPLE_SHIFT = 4;

  static final int CHUNK_SHIFT = 15;
  static final int CHUNK = 1 << CHUNK_SHIFT;
  private static final int CHUNK_MASK = CHUNK - 1;

  /** Takes the first {@code size} entries of the arrays, whose keys must be strictly ascending. */
  SortedRun(byte[][] keys, Version[] versions, int size) {
    this.keys = new byte[chunks(size)][][];
    this.versions = new Version[chunks(size)][];
    for (int c = 0; c < this.keys.length; c++) {
      int from = c << CHUNK_SHIFT;
      int to = Math.min(size, from + CHUNK);
      this.keys[c] = Arrays.copyOfRange(keys, from, to);
      this.versions[c] = Arrays.copyOfRange(versions, from, to);
    }
    this.prefixes = new long[size];
    for (int i = 0; i < size; i++) {
      prefixes[i] = Bytes.keyPrefix(keys[i]);
    }
    this.size = size;
    this.samples = sample(prefixes, size);
    int t = 0;
    for (int i = 0; i < size; i++) {
      if (versions[i] != null && versions[i].isTombstone()) {
        t++;
      }
    }
    this.tombstones = t;
  }

  /** Chunks that hold {@code capacity} entries. */
  private static int chunks(int capacity) {
    return (capacity + CHUNK_MASK) >>> CHUNK_SHIFT;
  }

  private static byte[][][] keyChunks(int capacity) {
    byte[][][] chunks = new byte[chunks(capacity)][][];
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = new byte[Math.min(CHUNK, capacity - (c << CHUNK_SHIFT))][];
    }
    return chunks;
  }

  private static Version[][] versionChunks(int capacity) {
    Version[][] chunks = new Version[chunks(capacity)][];
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = new Version[Math.min(CHUNK, capacity - (c << CHUNK_SHIFT))];
    }
    return chunks;
  }

  /** Takes the first {@code size} entries of the chunks, which may hold more. */
  private SortedRun(byte[][][] keys, long[] prefixes, Version[][] versions, int size, int tombstones) {
    this.keys = keys;
    this.prefixes = prefixes;
    this.versions = versions;
    this.size = size;
    this.tombstones = tombstones;
    this.samples = sample(prefixes, size);
  }

  int size() {
    return size;
  }

  byte[] key(int i) {
    return keys[i >>> CHUNK_SHIFT][i & CHUNK_MASK];
  }

  /** {@link Bytes#keyPrefix} of key {@code i}. */
  long prefix(int i) {
    return prefixes[i];
  }

  Version version(int i) {
    return versions[i >>> CHUNK_SHIFT][i & CHUNK_MASK];
  }

  /** Replaces the version of entry {@code i}; only under the index's write lock. */
  void setVersion(int i, Version v) {
    versions[i >>> CHUNK_SHIFT][i & CHUNK_MASK] = v;
  }

  /** The version of {@code key}, or null if the run does not hold it. */
  Version get(byte[] key) {
    int i = find(key);
    return i >= 0 ? version(i) : null;
  }

  /**
   * The index of {@code key} if the run holds it, else {@code -(insertion point) - 1}, as {@link
   * Arrays#binarySearch} returns.
   */
  int find(byte[] key) {
    long p = Bytes.keyPrefix(key);
    // The samples narrow the search to the entries between two samples, unless prefixes repeat
    // across them: entries before sample j - 1 have prefixes below p, those from sample k on above.
    int j = firstSampleAtOrAbove(p, false);
    int k = j < samples.length && samples[j] == p ? firstSampleAtOrAbove(p, true) : j;
    int lo = j == 0 ? 0 : ((j - 1) << SAMPLE_SHIFT) + 1;
    int hi = k == samples.length ? size - 1 : (k << SAMPLE_SHIFT) - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(prefixes[mid], p);
      if (c == 0) {
        c = Bytes.compareKeys(key(mid), key);
      }
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /** The first sample at or above {@code p} ({@code above}: strictly above); samples.length if none. */
  private int firstSampleAtOrAbove(long p, boolean above) {
    int lo = 0;
    int hi = samples.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(samples[mid], p);
      if (c < 0 || (above && c == 0)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static long[] sample(long[] prefixes, int size) {
    long[] samples = new long[(size + (1 << SAMPLE_SHIFT) - 1) >>> SAMPLE_SHIFT];
    for (int j = 0; j < samples.length; j++) {
      samples[j] = prefixes[j << SAMPLE_SHIFT];
    }
    return samples;
  }

  /** The index of the first key at or after {@code key} ({@link #size()} if none). */
  int lowerBound(byte[] key) {
    int i = find(key);
    return i >= 0 ? i : -i - 1;
  }

  /** A version of {@code newer} that hid {@code older}, this run's version of the same key, in a merge. */
  record Shadowed(byte[] key, Version newer, Version older) {}

  /**
   * A new run of {@code newer}'s entries over this run's: where both hold a key, {@code newer}'s
   * version wins. A tombstone that no snapshot needs (no older version chained to it) is dropped
   * together with what it hides: at the bottom level there is nothing left for it to hide.
   * Versions are shared, not copied. {@code newer} must not change while this runs. Each version
   * of {@code newer} flagged {@link Version#uncountedBelow} that hides one of this run's is added
   * to {@code shadowed}, for the caller to count the hidden one out.
   */
  SortedRun mergeUnder(ConcurrentSkipListMap<byte[], Version> newer, List<Shadowed> shadowed) {
    int capacity = size + newer.size();
    byte[][][] outKeys = keyChunks(capacity);
    long[] outPrefixes = new long[capacity];
    Version[][] outVersions = versionChunks(capacity);
    int n = 0;
    int outTombstones = 0;
    int i = 0;
    Iterator<Map.Entry<byte[], Version>> it = newer.entrySet().iterator();
    Map.Entry<byte[], Version> e = it.hasNext() ? it.next() : null;
    long ePrefix = e == null ? 0 : Bytes.keyPrefix(e.getKey());
    while (e != null || i < size) {
      int c;
      if (e == null) {
        c = -1;
      } else if (i == size) {
        c = 1;
      } else {
        c = Bytes.compareKeys(prefixes[i], key(i), ePrefix, e.getKey());
      }
      byte[] key;
      long prefix;
      Version v;
      if (c < 0) {
        key = key(i);
        prefix = prefixes[i];
        v = version(i++);
        if (tombstones == 0) { // nothing to drop or count: copy without touching the version
          outKeys[n >>> CHUNK_SHIFT][n & CHUNK_MASK] = key;
          outPrefixes[n] = prefix;
          outVersions[n >>> CHUNK_SHIFT][n & CHUNK_MASK] = v;
          n++;
          continue;
        }
      } else {
        key = e.getKey();
        prefix = ePrefix;
        v = e.getValue();
        e = it.hasNext() ? it.next() : null;
        ePrefix = e == null ? 0 : Bytes.keyPrefix(e.getKey());
        if (c == 0) {
          if (v.uncountedBelow) {
            shadowed.add(new Shadowed(key, v, version(i)));
          }
          i++; // shadowed by the newer version
        }
      }
      if (v.isTombstone()) {
        if (v.prev == null) {
          continue;
        }
        outTombstones++;
      }
      outKeys[n >>> CHUNK_SHIFT][n & CHUNK_MASK] = key;
      outPrefixes[n] = prefix;
      outVersions[n >>> CHUNK_SHIFT][n & CHUNK_MASK] = v;
      n++;
    }
    // Keys that newer shadowed or deleted leave the arrays' tail unused: at most twice newer's
    // size, which merges keep to a small fraction of the run, so trimming it is not worth another
    // copy of the whole run. The next merge builds new arrays anyway.
    return new SortedRun(outKeys, outPrefixes, outVersions, n, outTombstones);
  }
}
