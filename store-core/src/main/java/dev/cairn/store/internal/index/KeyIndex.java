package dev.cairn.store.internal.index;

import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.util.Bytes;
import dev.cairn.store.internal.wal.WalRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.StampedLock;

/**
 * The in-memory index: every live key, in unsigned byte order, mapped to its newest {@link Version}.
 *
 * <h2>Design</h2>
 * Like a small log-structured merge tree, the index has levels, newest first: an <em>active</em>
 * {@link MemTable} that takes every write, possibly a <em>frozen</em> one being merged
 * away, and a <em>base</em> {@link SortedRun} of sorted arrays. A key's head is its entry in the
 * newest level that holds it; a delete of a key a lower level holds leaves a tombstone in the
 * active map. Writes therefore insert into a map of recent keys only, which stays small enough to
 * be cache-friendly, and the bulk of the keys costs a few arrays instead of tree nodes. When
 * the active map has taken {@link #wantsMerge enough keys}, the maintenance thread calls {@link
 * #merge()}: the active map is frozen (writes go to a fresh one) and merged into a new base run,
 * which then replaces the frozen map and the old run in one step. A frozen map that only overwrites
 * keys of the base (no new key, no delete) is instead written over the base's versions in place,
 * which costs a lookup per key rather than a copy of the whole run.
 *
 * <p>Readers take no lock unless a writer keeps failing them. A commit changes several keys; to
 * keep a reader from seeing half of one, writers change the index only under the write side of a
 * {@link StampedLock}, and plain reads validate an optimistic stamp (retrying, then falling back to
 * the read lock). {@link #replaceHeads} is the exception: it moves heads to another location of
 * the same write, which a reader may find at either, so it holds the read side, which keeps
 * commits out and leaves readers' stamps valid (while a flush moved its keys under the write side,
 * readers failed their stamps chunk after chunk and parked). Point-in-time readers (snapshots and
 * cursors) instead register their sequence and read the newest version at or below it in each
 * key's chain: while any snapshot is open, a write keeps the replaced version as {@link
 * Version#prev}, and a delete leaves a tombstone. Versions no snapshot can need any more are
 * trimmed by {@link #trimHistory()}; tombstones nothing needs are dropped by the next merge.
 *
 * <p>Thread-safety: all methods are safe to call concurrently, but only one thread at a time may
 * call the mutators, and {@link #merge()}, {@link #replaceHeads} and {@link #trimHistory()} must
 * come from one thread (the maintenance thread), so that the frozen map and the base run change
 * under no merge in progress.
 */
public final class KeyIndex {
  /**
   * The active map is merged once it holds this many keys, or 1/{@link #MERGE_FRACTION} of the
   * base run's size if that is more: a small active map keeps inserts and lookups cheap, and
   * merging only at a fraction of the base bounds the copying to {@code MERGE_FRACTION} entries per
   * key written. Overwrites of a key the active map holds already do not count: they grow nothing,
   * and a counter written a million times would otherwise copy the whole base run every few
   * thousand writes. The system property exists for the test suite, which sets it low so that every
   * test runs across merges.
   */
  static final int MIN_MERGE_KEYS = Math.max(1, Integer.getInteger("cairn.index.minMergeKeys", 1 << 14));

  static final int MERGE_FRACTION = 32;

  /** See {@link #wantsIdleMerge()}. */
  static final int IDLE_MERGE_DIVISOR = 8;

  /**
   * Replacements made per hold of the lock in {@link #replaceHeads}: each costs lookups, and a
   * writer waits for a whole chunk (longer if the maintenance thread is descheduled holding it).
   */
  private static final int REPLACE_CHUNK = 128;

  /**
   * Optimistic reads {@link #head} tries before it takes the read lock. A commit holds the write
   * lock for about a microsecond, and a reader that parks on it costs both sides a futex call
   * (under a 90/10 get/put mix on two threads, readers parking and the writer waking them took
   * 11% of the threads' CPU). A reader still failing after these, behind a descheduled writer
   * say, parks. On the machine this was tuned on, 256 attempts spin about 6 microseconds.
   */
  private static final int OPTIMISTIC_READ_ATTEMPTS = 256;

  /**
   * The levels, newest first; replaced as a whole. {@code frozen} is null but during a merge. Each
   * map has a {@link KeyFilter} of the keys written into it.
   */
  private record Levels(MemTable active, KeyFilter activeKeys,
      MemTable frozen, KeyFilter frozenKeys, SortedRun base) {
    /** A fresh active map above {@code frozen} and {@code base}. */
    static Levels withNewActive(MemTable frozen, KeyFilter frozenKeys, SortedRun base) {
      return new Levels(new MemTable(), new KeyFilter(mergeKeys(base.size()) * 2), frozen, frozenKeys, base);
    }
  }

  private volatile Levels levels = Levels.withNewActive(null, null, SortedRun.EMPTY);
  private final StampedLock lock = new StampedLock();

  // Guarded by lock (write side), read under the read side.
  /** Written under the write lock once a commit is applied; read without it. */
  private volatile long visibleSequence;
  private long liveKeys;
  private long liveBytes;
  /** Keys the active map has taken since it was last frozen; written under the write lock. */
  private volatile int activeKeyCount;
  /** Open snapshots: registration id to sequence. Guarded by the {@code snapshots} monitor. */
  private final TreeMap<Long, Long> snapshots = new TreeMap<>();
  private long nextSnapshotId = 1;
  /** Keys whose chains hold versions kept for snapshots. */
  private final ConcurrentLinkedQueue<byte[]> historyKeys = new ConcurrentLinkedQueue<>();
  /** Holds the values of in-memory versions; used under the write lock. */
  private final ValueArena arena = new ValueArena();
  /**
   * Keys written in memory since the last WAL rotation, each at least once: a put whose key already
   * has an in-memory value written after {@link #memKeysAfter} is not listed again, so that a key
   * overwritten a million times (a counter) costs one entry, not a million kept to the next flush.
   * Only the writer touches it.
   */
  private List<byte[]> memKeys = new ArrayList<>();
  /** The last sequence of the previous WAL generation: a version above it is listed in {@link #memKeys}. */
  private long memKeysAfter;

  // ---------------------------------------------------------------- reads

  /** The head of {@code key} in {@code l}: its version in the newest level holding it, or null. */
  private static Version lookup(Levels l, byte[] key) {
    Version v = l.active.get(key);
    return v != null ? v : lookupBelowActive(l, key);
  }

  private static Version lookupBelowActive(Levels l, byte[] key) {
    Version v = l.frozen == null ? null : l.frozen.get(key);
    return v != null ? v : l.base.get(key);
  }

  /**
   * As {@link #lookup}, skipping each map whose filter proves the key absent. Only under the lock,
   * or in an optimistic read the lock validates afterwards (the filters are plain arrays).
   */
  private static Version lookupFiltered(Levels l, byte[] key) {
    Version v = l.activeKeys.mightContain(key) ? l.active.get(key) : null;
    if (v == null && l.frozen != null && l.frozenKeys.mightContain(key)) {
      v = l.frozen.get(key);
    }
    return v != null ? v : l.base.get(key);
  }

  /** The newest version of {@code key} (possibly a tombstone), consistent with whole commits. */
  public Version head(byte[] key) {
    for (int attempt = 0; attempt < OPTIMISTIC_READ_ATTEMPTS; attempt++) {
      long stamp = lock.tryOptimisticRead();
      if (stamp != 0) {
        Version v = lookupFiltered(levels, key);
        if (lock.validate(stamp)) {
          return v;
        }
      }
      Thread.onSpinWait();
    }
    long stamp = lock.readLock();
    try {
      return lookupFiltered(levels, key);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** The newest version of {@code key} at or below {@code sequence}; for registered snapshots. */
  public Version visibleAt(byte[] key, long sequence) {
    Version head = lookup(levels, key);
    return head == null ? null : head.visibleAt(sequence);
  }

  /**
   * Heads (tombstones included) from {@code fromInclusive} (null: the first) to {@code toExclusive}
   * (null: the end), in key order. Iterators see writes made after they start only in part: use a
   * registered sequence to read a point in time.
   */
  public Iterable<Map.Entry<byte[], Version>> range(byte[] fromInclusive, byte[] toExclusive) {
    return () -> walk(fromInclusive, toExclusive);
  }

  /**
   * As {@link #range}, as one walk whose {@link MergedIterator#advance()} allocates nothing; empty
   * when {@code fromInclusive} is not below {@code toExclusive}.
   */
  public MergedIterator walk(byte[] fromInclusive, byte[] toExclusive) {
    Levels l = levels;
    if (fromInclusive != null && toExclusive != null && Bytes.KEY_ORDER.compare(fromInclusive, toExclusive) >= 0) {
      toExclusive = fromInclusive;
    }
    return new MergedIterator(
        l.active.walk(fromInclusive, toExclusive),
        l.frozen == null ? null : l.frozen.walk(fromInclusive, toExclusive),
        l.base,
        fromInclusive == null ? 0 : l.base.lowerBound(fromInclusive),
        toExclusive == null ? l.base.size() : l.base.lowerBound(toExclusive));
  }

  /** Every head, for maintenance scans; the frozen map and the base do not change meanwhile. */
  public Iterable<Map.Entry<byte[], Version>> entries() {
    return range(null, null);
  }

  /** The sequence of the last commit applied: every commit up to it is visible. */
  public long visibleSequence() {
    return visibleSequence;
  }

  /** {live keys, live key+value bytes}, consistent with whole commits. */
  public long[] counts() {
    long stamp = lock.writeLock();
    try {
      settleLocked();
      return new long[] {liveKeys, liveBytes};
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** {live keys, live key+value bytes} as counted so far, without {@link #settle()}; for tests. */
  long[] unsettledTotals() {
    long stamp = lock.readLock();
    try {
      return new long[] {liveKeys, liveBytes};
    } finally {
      lock.unlockRead(stamp);
    }
  }

  // ---------------------------------------------------------------- snapshots

  /** A registered point-in-time view: {@code id} orders registrations, {@code sequence} is what it sees. */
  public record Registration(long id, long sequence) {}

  /** Registers a snapshot of the commits published so far. */
  public Registration registerSnapshot() {
    long stamp = lock.readLock();
    try {
      synchronized (snapshots) {
        long id = nextSnapshotId++;
        snapshots.put(id, visibleSequence);
        return new Registration(id, visibleSequence);
      }
    } finally {
      lock.unlockRead(stamp);
    }
  }

  public void unregisterSnapshot(Registration r) {
    synchronized (snapshots) {
      snapshots.remove(r.id());
    }
  }

  /** Id of the oldest open snapshot, or of the next one to open if none is open. */
  public long oldestSnapshotId() {
    synchronized (snapshots) {
      return snapshots.isEmpty() ? nextSnapshotId : snapshots.firstKey();
    }
  }

  /** Id the next snapshot will get. */
  public long nextSnapshotId() {
    synchronized (snapshots) {
      return nextSnapshotId;
    }
  }

  private boolean hasSnapshots() {
    synchronized (snapshots) {
      return !snapshots.isEmpty();
    }
  }

  private long oldestSnapshotSequence() {
    synchronized (snapshots) {
      return snapshots.isEmpty() ? Long.MAX_VALUE : snapshots.firstEntry().getValue();
    }
  }

  // ---------------------------------------------------------------- writes

  /**
   * Applies committed records in order and publishes their sequences. Called by the group-commit
   * leader after the records are in the WAL, and by recovery.
   */
  public void apply(List<WalRecord> records) {
    long stamp = lock.writeLock();
    try {
      boolean keepHistory = hasSnapshots();
      for (WalRecord record : records) {
        long sequence = record.sequence();
        for (int i = 0; i < record.size(); i++) {
          byte[] buffer = record.valueBuffer(i);
          applyOne(record.key(i), buffer, buffer == null ? 0 : record.valueOffset(i),
              buffer == null ? 0 : record.value(i).length, sequence, keepHistory);
        }
        visibleSequence = sequence;
      }
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Applies a put of {@code value[offset, offset + length)}, or a delete if {@code value} is null. */
  private void applyOne(byte[] key, byte[] value, int offset, int length, long sequence, boolean keepHistory) {
    Levels l = levels;
    if (value != null && length <= ValueArena.MAX_VALUE_BYTES) {
      value = arena.copy(value, offset, length);
      offset = arena.lastOffset();
    }
    Version old;
    if (value != null && !keepHistory) {
      // One traversal of the active map, and no lookup below it: whatever a lower level holds for
      // this key is counted out of the totals later, by the merge that meets both (or by settle()).
      Version next = Version.inMemory(sequence, value, offset, length, null);
      l.activeKeys.add(key);
      old = l.active.put(key, next);
      next.uncountedBelow = old != null ? old.uncountedBelow : l.frozen != null || l.base.size() > 0;
      if (old == null) {
        activeKeyCount++;
      }
    } else {
      Version inActive = l.active.get(key);
      old = inActive != null ? inActive : lookupBelowActive(l, key);
      boolean uncounted = inActive != null && inActive.uncountedBelow;
      boolean wasLive = old != null && !old.isTombstone();
      Version prev = keepHistory ? old : null;
      Version next = null;
      if (value != null) {
        next = Version.inMemory(sequence, value, offset, length, prev);
      } else if (wasLive) {
        next = Version.tombstone(sequence, prev); // hides the key in lower levels
      }
      if (next != null) {
        next.uncountedBelow = uncounted;
        l.activeKeys.add(key);
        l.active.put(key, next);
        if (inActive == null) {
          activeKeyCount++;
        }
        if (prev != null) {
          historyKeys.add(key);
        }
      }
    }
    countOut(key, old);
    if (value != null) {
      liveKeys++;
      liveBytes += key.length + length;
      if (old == null || !old.isInMemory() || old.sequence <= memKeysAfter) {
        memKeys.add(key);
      }
    }
  }

  /** Takes {@code hidden}, a version a newer one now hides, out of the live totals. Under the write lock. */
  private void countOut(byte[] key, Version hidden) {
    if (hidden != null && !hidden.isTombstone()) {
      liveKeys--;
      liveBytes -= key.length + hidden.valueLength;
      if (hidden.isStored()) {
        hidden.segment.liveBytes().addAndGet(-hidden.recordBytes(key.length));
      }
    }
  }

  /**
   * Counts out every version still hidden uncounted below the active or frozen map, so that the
   * live totals and the segments' live bytes are exact: what {@link #counts()} and an explicit
   * compaction need. Costs a lookup per key written since the last merge.
   */
  public void settle() {
    long stamp = lock.writeLock();
    try {
      settleLocked();
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  private void settleLocked() {
    Levels l = levels;
    for (Iterator<Map.Entry<byte[], Version>> it = l.active.walk(null, null); it.hasNext(); ) {
      Map.Entry<byte[], Version> e = it.next();
      Version v = e.getValue();
      if (v.uncountedBelow) {
        v.uncountedBelow = false;
        countOut(e.getKey(), lookupBelowActive(l, e.getKey()));
      }
    }
    if (l.frozen != null) {
      for (Iterator<Map.Entry<byte[], Version>> it = l.frozen.walk(null, null); it.hasNext(); ) {
        Map.Entry<byte[], Version> e = it.next();
        Version v = e.getValue();
        if (v.uncountedBelow) {
          Version below = l.base.get(e.getKey());
          if (below != null && below.sequence == v.sequence) {
            continue; // a merge wrote v over the base's version in place; it counts that one out
          }
          v.uncountedBelow = false;
          countOut(e.getKey(), below);
        }
      }
    }
  }

  /**
   * Hands over the keys written in memory since the last call (each at least once, possibly more);
   * the writer calls it at WAL rotation, after the last commit of the rotated WAL is applied.
   */
  public List<byte[]> takeMemKeys() {
    long stamp = lock.writeLock();
    try {
      List<byte[]> keys = memKeys;
      memKeys = new ArrayList<>();
      memKeysAfter = visibleSequence;
      return keys;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Sets the last published sequence; only during open, after loading the checkpoint. */
  public void recoverSequence(long sequence) {
    long stamp = lock.writeLock();
    try {
      visibleSequence = Math.max(visibleSequence, sequence);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /**
   * Loads a checkpoint's entries, whose keys are strictly ascending, as the base run; only during
   * open, before any other use.
   */
  public void loadSorted(byte[][] keys, Version[] versions, int count) {
    levels = Levels.withNewActive(null, null, new SortedRun(keys, versions, count));
    for (int i = 0; i < count; i++) {
      Version v = versions[i];
      liveKeys++;
      liveBytes += keys[i].length + v.valueLength;
      v.segment.liveBytes().addAndGet(v.recordBytes(keys[i].length));
    }
  }

  // ---------------------------------------------------------------- merging

  /** Whether the active map has taken enough keys since the last merge to be merged now. */
  public boolean wantsMerge() {
    return activeKeyCount >= mergeKeys(levels.base.size());
  }

  /**
   * Whether the active map is worth merging while the store takes no writes: it holds at least
   * 1/{@link #IDLE_MERGE_DIVISOR} of the keys that make a merge due. Point reads then find every
   * key in the base run instead of walking the map first, and a store that writes a few keys now
   * and then merges at most once per that many keys.
   */
  public boolean wantsIdleMerge() {
    return activeKeyCount >= Math.max(1, mergeKeys(levels.base.size()) / IDLE_MERGE_DIVISOR);
  }

  /** Keys in the active map that make it due for a merge into a base run of {@code baseSize} keys. */
  private static int mergeKeys(int baseSize) {
    return Math.max(MIN_MERGE_KEYS, baseSize / MERGE_FRACTION);
  }

  /**
   * Merges the active map into the base run: freezes it (new writes go to a fresh map), builds the
   * new run (or overwrites the base's versions in place) without holding the lock, and publishes it
   * in place of the frozen map and the old run.
   * Readers see the same heads throughout. Only from the maintenance thread, or from recovery
   * before that thread starts.
   */
  public void merge() {
    if (freeze()) {
      finishMerge();
    }
  }

  /** The first half of {@link #merge()}: freezes a non-empty active map; false if it was empty. */
  boolean freeze() {
    long stamp = lock.writeLock();
    try {
      Levels l = levels;
      if (l.frozen != null) {
        throw new IllegalStateException("a merge is in progress");
      }
      if (l.active.isEmpty()) {
        return false;
      }
      levels = Levels.withNewActive(l.active, l.activeKeys, l.base);
      activeKeyCount = 0;
      return true;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /**
   * The second half of {@link #merge()}: merges the frozen map into a new base run, or, if it only
   * overwrites keys the base holds, writes its versions over the base's in place (a store whose
   * writes update existing keys then never copies its whole base run).
   */
  void finishMerge() {
    Levels merging = levels; // only this thread changes the frozen map and the base
    List<SortedRun.Shadowed> shadowed = new ArrayList<>();
    SortedRun merged = merging.base.overwriteUnder(merging.frozen, shadowed)
        ? merging.base
        : merging.base.mergeUnder(merging.frozen, shadowed);
    long stamp = lock.writeLock();
    try {
      for (SortedRun.Shadowed s : shadowed) {
        if (s.newer().uncountedBelow) { // not counted out by settle() meanwhile
          s.newer().uncountedBelow = false;
          countOut(s.key(), s.older());
        }
      }
      levels = new Levels(levels.active, levels.activeKeys, null, null, merged);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** A head to replace: if {@code key}'s head is still {@code expected}, it becomes {@code replacement}. */
  public record Replacement(byte[] key, Version expected, Version replacement) {}

  /**
   * Moves heads to new locations (flush: memory to segment; compaction: old segment to new one),
   * a chunk at a time so that writers wait at most for one chunk. A head that changed meanwhile
   * is left alone: its old record simply becomes garbage. Returns how many moved.
   *
   * <p>Each chunk holds the read side of the lock: that keeps commits (the other mutator) out, and
   * readers' optimistic stamps stay valid. A reader that finds a head while it moves finds the same
   * write at either location: the maps swap the version under their leaves' stamps, and the base run's slots
   * are read under their own stamps.
   */
  public int replaceHeads(List<Replacement> replacements) {
    int moved = 0;
    int chunk = REPLACE_CHUNK;
    for (int from = 0; from < replacements.size(); from += chunk) {
      long stamp = lock.readLock();
      try {
        Levels l = levels;
        for (Replacement r : replacements.subList(from, Math.min(replacements.size(), from + chunk))) {
          if (replaceHead(l, r)) {
            Segment s = r.replacement().segment;
            s.liveBytes().addAndGet(r.replacement().recordBytes(r.key().length));
            moved++;
          }
        }
      } finally {
        lock.unlockRead(stamp);
      }
    }
    return moved;
  }

  /** Replaces {@code r}'s head in the level that holds it, if it is still the expected one. */
  private static boolean replaceHead(Levels l, Replacement r) {
    // Versions compare by identity (packed ones in the base run by location): a head rewritten
    // meanwhile is left alone. By the time a flush moves its keys, merges have taken most of them
    // into the base, so look before replacing.
    // The replacement hides what the version it replaces hid.
    r.replacement().uncountedBelow = r.expected().uncountedBelow;
    Version head = l.activeKeys.mightContain(r.key()) ? l.active.get(r.key()) : null;
    if (head != null) {
      return head == r.expected() && l.active.replace(r.key(), r.expected(), r.replacement());
    }
    if (l.frozen != null && l.frozenKeys.mightContain(r.key()) && (head = l.frozen.get(r.key())) != null) {
      return head == r.expected() && l.frozen.replace(r.key(), r.expected(), r.replacement());
    }
    return l.base.replace(r.key(), r.expected(), r.replacement());
  }

  /**
   * Lets the base run pack {@code head}, which has just lost its history, if it is the run's
   * version of {@code key}: otherwise it would stay an object until a merge met its key again.
   */
  private static void packIfInBase(Levels l, byte[] key, Version head) {
    if (!head.isTombstone()) {
      l.base.replace(key, head, head);
    }
  }

  /** Whether some key holds versions kept for snapshots, which {@link #trimHistory} may drop. */
  public boolean holdsHistory() {
    return !historyKeys.isEmpty();
  }

  /**
   * Drops versions that no open snapshot can read any more (tombstones themselves go at the next
   * merge). Keys still needed stay queued for a later pass.
   */
  public void trimHistory() {
    if (historyKeys.isEmpty()) {
      return;
    }
    List<byte[]> keep = new ArrayList<>();
    long stamp = lock.writeLock();
    try {
      Levels l = levels;
      long oldest = oldestSnapshotSequence();
      for (Iterator<byte[]> it = historyKeys.iterator(); it.hasNext(); ) {
        byte[] key = it.next();
        it.remove();
        Version head = lookup(l, key);
        if (head == null) {
          continue;
        }
        if (oldest == Long.MAX_VALUE || head.sequence <= oldest) {
          if (head.prev != null) {
            head.prev = null;
            packIfInBase(l, key, head);
          }
          continue;
        }
        Version needed = head.visibleAt(oldest);
        if (needed != null) {
          needed.prev = null;
        }
        keep.add(key);
      }
    } finally {
      lock.unlockWrite(stamp);
    }
    historyKeys.addAll(keep);
  }
}
