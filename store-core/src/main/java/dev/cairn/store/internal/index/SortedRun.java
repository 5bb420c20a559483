package dev.cairn.store.internal.index;

import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.util.Bytes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The bottom level of the {@link KeyIndex}: keys in strictly ascending unsigned order, each with
 * its newest version, in parallel (chunked) arrays. The keys of a run never change once it is
 * built. A version slot changes in two cases, and readers read slots without the index's lock in
 * both. While that lock keeps commits out (its write side, or the read side {@link
 * KeyIndex#replaceHeads} holds), flush or compaction moves a head to a new location: the old and
 * the new version are both valid locations of the same value. And a merge of overwrites only
 * {@linkplain #overwriteUnder writes the frozen map's versions over the run's}: until the merge is
 * published, the frozen map above holds each of those keys with the same version.
 *
 * <p>A lookup binary-searches the first eight bytes of each key, kept as longs in one array, and
 * compares whole keys only where those are equal: for keys that differ early (random or hashed
 * keys) a search reads one slot of the {@link PrefixBuckets}, a few neighbouring prefixes and a
 * single key. Where a bucket is crowded, it searches a sample of the prefixes instead.
 *
 * <p>Most entries hold a version no snapshot needs an older version of. The run keeps those
 * <em>packed</em>: the slot holds where the value lives, the version's {@link Segment} or, for a
 * value still in memory, the arena chunk holding it, and three longs in a parallel array hold its
 * sequence, location and length. {@link #version} builds a {@link Version} from them on demand. One
 * {@code Version} object per key would cost 48 bytes and, more to the point, a dereference to a
 * spot anywhere in the heap for every lookup and every entry of a scan; the packed longs sit at the
 * entry's index, next to its neighbours'. Packing in-memory versions also keeps the run's slots
 * from pointing at the young objects a write creates: those would be copied by every young
 * collection until a flush moved them, and each slot written would dirty a card that young
 * collections scan. Other versions (tombstones, and versions with older ones chained for
 * snapshots) stay objects in their slot.
 * The keys are {@linkplain PackedKeys packed} too, for the same reason. A run costs about 38 bytes
 * per key beyond the key bytes themselves, 4 more where keys differ in length.
 */
final class SortedRun {
  static final SortedRun EMPTY = new SortedRun(new byte[0][], new Version[0], 0);

  private final PackedKeys keys;
  /**
   * Slots in chunks of {@link #CHUNK} references: entry {@code i} is at {@code
   * [i >>> CHUNK_SHIFT][i & CHUNK_MASK]}. A run of a million entries in flat reference arrays would
   * be "humongous" objects to the G1 collector, allocated straight into the old generation: every
   * reference in them to a young object dirties a card that each young collection scans, and once a
   * merge replaces the run, the dead arrays keep scanning and keeping young objects alive until a
   * concurrent cycle frees them. Chunks of 128 KiB are ordinary objects.
   *
   * <p>The primitive arrays ({@link #prefixes}, {@link #locations}) are flat (and the keys' in
   * chunks only to bound each array's size): holding no
   * references, they give young collections nothing to scan even when humongous, and a large run's
   * arrays are then allocated in the old generation, where a run that lives until the next merge
   * ends up anyway, instead of being copied there.
   */
  private final long[] prefixes;
  /**
   * Per entry: a {@link Version}, the {@link Segment} of a packed stored version, the {@code byte[]}
   * holding the value of a packed in-memory version, or null (tests).
   */
  private final Object[][] slots;
  /**
   * Per entry, for a packed slot: the sequence, {@code blockOffset << 32 | recordOffset}, and the
   * value length, at {@code 3 * i}.
   */
  private final long[] locations;
  /**
   * One sequence lock per chunk, so that a reader never builds a version from half of an old
   * location and half of a new one: odd while {@link #setVersion} rewrites an entry of the chunk,
   * bumped by two per rewrite. Readers re-read an entry whose chunk's stamp changed under them.
   */
  private final int[] stamps;
  private final int size;
  /**
   * How many of the versions are tombstones (kept for snapshots). A slot's version only ever
   * changes from one location of a value to another (memory to segment, segment to segment), never
   * to or from a tombstone, so this holds for the run's life; while it is 0, a merge need not look
   * at this run's version objects at all, which are scattered over the heap.
   */
  private final int tombstones;
  /**
   * Every {@code 2^SAMPLE_SHIFT}-th prefix: a search first looks here (1/16 of the prefixes, half a
   * byte per key, mostly in cache), then among the 16 entries between two samples, two cache lines
   * of prefixes. Sampling every 64th prefix left four lines to search, and lookups of 1M random keys
   * took 8-13% longer (three runs of a benchmark alternating the two in one JVM).
   */
  private final long[] samples;
  /**
   * The entries under each value of the prefix's leading bits, or null (a small run, or a single
   * prefix): a search that finds at most {@link #MAX_BUCKET_SEARCH} entries there skips the
   * samples, whose binary search costs a cache miss at each of its last few steps.
   */
  private final PrefixBuckets buckets;

  private static final int SAMPLE_SHIFT = 4;
  /** The most entries of one bucket that a search looks through instead of the samples: as many as two samples span. */
  private static final int MAX_BUCKET_SEARCH = 1 << SAMPLE_SHIFT;

  /** See {@link #overwriteUnder}. */
  private static final int OVERWRITE_PROBE_STRIDE = 64;

  static final int CHUNK_SHIFT = 15;
  static final int CHUNK = 1 << CHUNK_SHIFT;
  private static final int CHUNK_MASK = CHUNK - 1;

  private static final VarHandle STAMP = MethodHandles.arrayElementVarHandle(int[].class);

  /** Takes the first {@code size} entries of the arrays, whose keys must be strictly ascending. */
  SortedRun(byte[][] keys, Version[] versions, int size) {
    long keyBytes = 0;
    for (int i = 0; i < size; i++) {
      keyBytes += keys[i].length;
    }
    PackedKeys.Builder packed = new PackedKeys.Builder(size, size == 0 ? 0 : (int) (keyBytes / size));
    for (int i = 0; i < size; i++) {
      packed.add(keys[i]);
    }
    this.keys = packed.build();
    this.slots = slotChunks(size);
    this.locations = new long[locationsLength(size)];
    this.stamps = new int[this.slots.length];
    this.prefixes = new long[size];
    int t = 0;
    for (int i = 0; i < size; i++) {
      prefixes[i] = Bytes.keyPrefix(keys[i]);
      store(slots, locations, i, versions[i]);
      if (versions[i] != null && versions[i].isTombstone()) {
        t++;
      }
    }
    this.size = size;
    this.tombstones = t;
    this.samples = sample(prefixes, size);
    this.buckets = PrefixBuckets.of(prefixes, size);
  }

  /** Chunks that hold {@code capacity} entries. */
  private static int chunks(int capacity) {
    return (capacity + CHUNK_MASK) >>> CHUNK_SHIFT;
  }

  private static int chunkLength(int capacity, int chunk) {
    return Math.min(CHUNK, capacity - (chunk << CHUNK_SHIFT));
  }

  private static Object[][] slotChunks(int capacity) {
    Object[][] chunks = new Object[chunks(capacity)][];
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = new Object[chunkLength(capacity, c)];
    }
    return chunks;
  }

  /** The length of the locations of {@code capacity} entries. */
  private static int locationsLength(int capacity) {
    if (capacity > Integer.MAX_VALUE / 3) {
      throw new IllegalStateException("an index of " + capacity + " keys is beyond the " + Integer.MAX_VALUE / 3
          + " a base run holds");
    }
    return 3 * capacity;
  }

  /** Takes the first {@code size} entries of the chunks, which may hold more. */
  private SortedRun(PackedKeys keys, long[] prefixes, Object[][] slots, long[] locations, int size, int tombstones) {
    this.keys = keys;
    this.prefixes = prefixes;
    this.slots = slots;
    this.locations = locations;
    this.stamps = new int[slots.length];
    this.size = size;
    this.tombstones = tombstones;
    this.samples = sample(prefixes, size);
    this.buckets = PrefixBuckets.of(prefixes, size);
  }

  /** Whether {@code v} can be packed: stored or in memory, with no older version chained to it. */
  private static boolean packable(Version v) {
    return v != null && !v.isTombstone() && v.prev == null;
  }

  /** A version's block and record offsets (an in-memory one's block offset is 0), as a packed entry keeps them. */
  private static long location(Version v) {
    return (long) v.blockOffset << 32 | (v.recordOffset & 0xFFFF_FFFFL);
  }

  /** Writes {@code v} into entry {@code i} of the chunks, packed if it can be. */
  private static void store(Object[][] slots, long[] locations, int i, Version v) {
    Object[] slotChunk = slots[i >>> CHUNK_SHIFT];
    if (packable(v)) {
      locations[3 * i] = v.sequence;
      locations[3 * i + 1] = location(v);
      locations[3 * i + 2] = v.valueLength;
      slotChunk[i & CHUNK_MASK] = v.isStored() ? v.segment : v.value;
    } else {
      slotChunk[i & CHUNK_MASK] = v;
    }
  }

  int size() {
    return size;
  }

  /** A copy of key {@code i}. */
  byte[] key(int i) {
    return keys.key(i);
  }

  /**
   * {@link Bytes#compareKeys(long, byte[], long, byte[])} of key {@code i} and {@code key}, whose
   * {@link Bytes#keyPrefix} is {@code prefix}: the key's bytes are read only if the prefixes tie.
   */
  int compare(int i, long prefix, byte[] key) {
    int c = Long.compareUnsigned(prefixes[i], prefix);
    return c != 0 ? c : keys.compare(i, key);
  }

  /**
   * The version of entry {@code i}: its object, or one built from its packed location (a new
   * object on each call, so compare versions with {@link #holds}, not by identity).
   */
  Version version(int i) {
    int c = i >>> CHUNK_SHIFT;
    int j = i & CHUNK_MASK;
    Object[] slotChunk = slots[c];
    for (;;) {
      int stamp = (int) STAMP.getAcquire(stamps, c);
      Object slot = slotChunk[j];
      if (slot instanceof Version v) {
        return v; // a version object is consistent on its own
      }
      long sequence = locations[3 * i];
      long location = locations[3 * i + 1];
      long valueLength = locations[3 * i + 2];
      VarHandle.acquireFence();
      if ((stamp & 1) == 0 && (int) STAMP.getOpaque(stamps, c) == stamp) {
        return slot instanceof Segment segment
            ? Version.stored(sequence, segment, location >>> 32, (int) location, (int) valueLength, null)
            : Version.inMemory(sequence, (byte[]) slot, (int) location, (int) valueLength, null);
      }
      Thread.onSpinWait(); // moved meanwhile: read it again
    }
  }

  /**
   * Whether entry {@code i} holds {@code expected}: the same object, or the same location of the
   * same write. Only from the thread that rewrites slots (no rewrite can be in progress).
   */
  boolean holds(int i, Version expected) {
    int c = i >>> CHUNK_SHIFT;
    int j = i & CHUNK_MASK;
    Object slot = slots[c][j];
    if (slot == null || slot instanceof Version) {
      return slot == expected;
    }
    return (slot instanceof Segment ? expected.segment == slot : expected.value == slot)
        && expected.sequence == locations[3 * i] && location(expected) == locations[3 * i + 1];
  }

  /**
   * If the entry of {@code key} holds {@code expected} (see {@link #holds}), replaces it with {@code
   * replacement} and returns true; only while the index's lock keeps commits out.
   */
  boolean replace(byte[] key, Version expected, Version replacement) {
    int i = find(key);
    if (i < 0 || !holds(i, expected)) {
      return false;
    }
    setVersion(i, replacement);
    return true;
  }

  /**
   * Replaces the version of entry {@code i}; only from the thread that merges and moves heads, and
   * only while the index's lock keeps commits out or the frozen map holds the key (see {@link
   * #overwriteUnder}).
   */
  void setVersion(int i, Version v) {
    int c = i >>> CHUNK_SHIFT;
    int stamp = stamps[c];
    STAMP.setOpaque(stamps, c, stamp + 1);
    VarHandle.storeStoreFence();
    store(slots, locations, i, v);
    STAMP.setRelease(stamps, c, stamp + 2);
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
    long range = buckets == null ? -1 : buckets.range(p);
    int lo = (int) (range >>> 32);
    int hi = (int) range - 1;
    if (range < 0 || hi - lo >= MAX_BUCKET_SEARCH) {
      // The samples narrow the search to the entries between two samples, unless prefixes repeat
      // across them: entries before sample j - 1 have prefixes below p, those from sample k on above.
      int j = firstSampleAtOrAbove(p, false);
      int k = j < samples.length && samples[j] == p ? firstSampleAtOrAbove(p, true) : j;
      lo = j == 0 ? 0 : ((j - 1) << SAMPLE_SHIFT) + 1;
      hi = k == samples.length ? size - 1 : (k << SAMPLE_SHIFT) - 1;
    }
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = compare(mid, p, key);
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
   * Versions are shared, not copied; {@code newer}'s are packed where they can be, and this run's
   * entries are copied as they are, without reading their version objects while the run holds no
   * tombstone. {@code newer} must not change while this runs, nor this run's slots (merges and
   * moves come from one thread). Each version of {@code newer} flagged {@link
   * Version#uncountedBelow} that hides one of this run's is added to {@code shadowed}, for the
   * caller to count the hidden one out.
   */
  SortedRun mergeUnder(MemTable newer, List<Shadowed> shadowed) {
    MergeOutput out = new MergeOutput(size + newer.size(), size == 0 ? 16 : (int) (keys.bytes() / size));
    // This run's entries copied as they are gather into one range, [copyFrom, copyFrom + copyCount),
    // copied in one go when another entry comes between or the merge ends.
    int copyFrom = 0;
    int copyCount = 0;
    int i = 0;
    Iterator<Map.Entry<byte[], Version>> it = newer.walk(null, null);
    Map.Entry<byte[], Version> e = it.hasNext() ? it.next() : null;
    long ePrefix = e == null ? 0 : Bytes.keyPrefix(e.getKey());
    while (e != null || i < size) {
      int c;
      if (e == null) {
        c = -1;
      } else if (i == size) {
        c = 1;
      } else {
        c = compare(i, ePrefix, e.getKey());
      }
      byte[] key; // null: this run's key baseIndex
      int baseIndex = i;
      long prefix;
      Version v;
      if (c < 0) {
        key = null;
        prefix = prefixes[i];
        Object slot = slots[i >>> CHUNK_SHIFT][i & CHUNK_MASK];
        if (tombstones == 0 || !(slot instanceof Version)) { // nothing to drop: copy it as it is
          if (copyFrom + copyCount != i) {
            out.copy(this, copyFrom, copyCount);
            copyFrom = i;
            copyCount = 0;
          }
          copyCount++;
          i++;
          continue;
        }
        v = (Version) slot;
        i++;
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
      if (v.isTombstone() && v.prev == null) {
        continue;
      }
      out.copy(this, copyFrom, copyCount);
      copyCount = 0;
      if (key == null) {
        out.keys.add(keys, baseIndex, 1);
      } else {
        out.keys.add(key);
      }
      out.add(prefix, v);
    }
    out.copy(this, copyFrom, copyCount);
    // Keys that newer shadowed or deleted leave the arrays' tail unused: at most twice newer's
    // size, which merges keep to a small fraction of the run, so trimming it is not worth another
    // copy of the whole run. The next merge builds new arrays anyway.
    return new SortedRun(out.keys.build(), out.prefixes, out.slots, out.locations, out.n, out.tombstones);
  }

  /**
   * Writes {@code newer}'s versions over this run's in place, if every key of {@code newer} is one
   * of this run's and neither holds a tombstone for it; otherwise changes nothing and returns false,
   * and the caller must {@link #mergeUnder merge} instead. This is what a merge of overwrites costs:
   * a lookup per key of {@code newer}, instead of a copy of the whole run. As in {@link
   * #mergeUnder}, each version of {@code newer} flagged {@link Version#uncountedBelow} is added to
   * {@code shadowed} with the version it replaces.
   *
   * <p>Readers may read this run meanwhile: for each key written here, {@code newer} (a level above
   * this run until the caller publishes the merge) holds the same version, so a reader finds it
   * there first. {@code newer} must not change while this runs, and slots are rewritten only from
   * the thread that merges and moves heads.
   */
  boolean overwriteUnder(MemTable newer, List<Shadowed> shadowed) {
    int n = newer.size();
    if (n > size) {
      return false; // some key of newer is not in this run
    }
    byte[][] newKeys = new byte[n][];
    Version[] newVersions = new Version[n];
    int k = 0;
    for (Iterator<Map.Entry<byte[], Version>> it = newer.walk(null, null); it.hasNext(); k++) {
      Map.Entry<byte[], Version> e = it.next();
      if (e.getValue().isTombstone()) {
        return false; // a delete: the run's tombstone count would change
      }
      newKeys[k] = e.getKey();
      newVersions[k] = e.getValue();
    }
    // Overwrites with a few new keys among them are common: every OVERWRITE_PROBE_STRIDE-th key is
    // looked up first, so that such a merge gives up after a fraction of the lookups.
    int[] at = new int[k];
    for (int pass = 0; pass < 2; pass++) {
      for (int j = 0; j < k; j++) {
        if ((j % OVERWRITE_PROBE_STRIDE == 0) == (pass == 0)) {
          int i = find(newKeys[j]);
          if (i < 0 || (slots[i >>> CHUNK_SHIFT][i & CHUNK_MASK] instanceof Version old && old.isTombstone())) {
            return false; // a new key, or one the run keeps a tombstone for: its keys or tombstone count would change
          }
          at[j] = i;
        }
      }
    }
    for (int j = 0; j < k; j++) {
      if (newVersions[j].uncountedBelow) {
        shadowed.add(new Shadowed(newKeys[j], newVersions[j], version(at[j])));
      }
      setVersion(at[j], newVersions[j]);
    }
    return true;
  }

  /** The arrays of the run a merge builds, filled in order. */
  private static final class MergeOutput {
    final PackedKeys.Builder keys;
    final long[] prefixes;
    final Object[][] slots;
    final long[] locations;
    int n;
    int tombstones;

    MergeOutput(int capacity, int expectedKeyBytes) {
      keys = new PackedKeys.Builder(capacity, expectedKeyBytes);
      prefixes = new long[capacity];
      slots = slotChunks(capacity);
      locations = new long[locationsLength(capacity)];
    }

    /** Appends the prefix and version of an entry whose key was just added. */
    void add(long prefix, Version v) {
      prefixes[n] = prefix;
      store(slots, locations, n, v);
      if (v.isTombstone()) {
        tombstones++;
      }
      n++;
    }

    /** Appends entries {@code [from, from + count)} of {@code run} as they are, keys included. */
    void copy(SortedRun run, int from, int count) {
      if (count == 0) {
        return;
      }
      keys.add(run.keys, from, count);
      System.arraycopy(run.prefixes, from, prefixes, n, count);
      System.arraycopy(run.locations, 3 * from, locations, 3 * n, 3 * count);
      for (int done = 0; done < count; ) {
        int src = from + done;
        int dst = n + done;
        int k = Math.min(count - done, Math.min(CHUNK - (src & CHUNK_MASK), CHUNK - (dst & CHUNK_MASK)));
        System.arraycopy(run.slots[src >>> CHUNK_SHIFT], src & CHUNK_MASK,
            slots[dst >>> CHUNK_SHIFT], dst & CHUNK_MASK, k);
        done += k;
      }
      n += count;
    }
  }
}
