package dev.cairn.store.internal.index;

import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.util.Bytes;
import dev.cairn.store.internal.wal.WalRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.StampedLock;

/**
 * The in-memory index: every live key, in unsigned byte order, mapped to its newest {@link Version}.
 *
 * <h2>Design</h2>
 * Keys live in a {@link ConcurrentSkipListMap}, so readers never block. A commit changes several
 * keys; to keep a reader from seeing half of one, writers change the map only under the write side
 * of a {@link StampedLock}, and plain reads validate an optimistic stamp (falling back to the read
 * lock). Point-in-time readers (snapshots and cursors) instead register their sequence and read
 * the newest version at or below it in each key's chain: while any snapshot is open, a write keeps
 * the replaced version as {@link Version#prev}, and a delete leaves a tombstone. Versions no
 * snapshot can need any more are trimmed by {@link #trimHistory()}.
 *
 * <p>Thread-safety: all methods are safe to call concurrently. Mutators take the write lock; only
 * one thread (the group-commit leader or the maintenance thread) mutates at a time anyway.
 */
public final class KeyIndex {
  // Replaced only by loadSorted, during open, before the index is shared.
  private ConcurrentSkipListMap<byte[], Version> map = new ConcurrentSkipListMap<>(Bytes.KEY_ORDER);
  private final StampedLock lock = new StampedLock();

  // Guarded by lock (write side), read under the read side.
  private long visibleSequence;
  private long liveKeys;
  private long liveBytes;
  /** Open snapshots: registration id to sequence. Guarded by the {@code snapshots} monitor. */
  private final TreeMap<Long, Long> snapshots = new TreeMap<>();
  private long nextSnapshotId = 1;
  /** Keys whose chains hold versions kept for snapshots, or that hold a tombstone. */
  private final ConcurrentLinkedQueue<byte[]> historyKeys = new ConcurrentLinkedQueue<>();
  /** Keys written in memory since the last WAL rotation. Only the writer touches it. */
  private List<byte[]> memKeys = new ArrayList<>();

  // ---------------------------------------------------------------- reads

  /** The newest version of {@code key} (possibly a tombstone), consistent with whole commits. */
  public Version head(byte[] key) {
    long stamp = lock.tryOptimisticRead();
    Version v = map.get(key);
    if (!lock.validate(stamp)) {
      stamp = lock.readLock();
      try {
        v = map.get(key);
      } finally {
        lock.unlockRead(stamp);
      }
    }
    return v;
  }

  /** The newest version of {@code key} at or below {@code sequence}; for registered snapshots. */
  public Version visibleAt(byte[] key, long sequence) {
    Version head = map.get(key);
    return head == null ? null : head.visibleAt(sequence);
  }

  /** Live entries from {@code fromInclusive} (null: the first) to {@code toExclusive} (null: the end). */
  public NavigableMap<byte[], Version> range(byte[] fromInclusive, byte[] toExclusive) {
    if (fromInclusive == null && toExclusive == null) {
      return map;
    }
    if (fromInclusive == null) {
      return map.headMap(toExclusive, false);
    }
    if (toExclusive == null) {
      return map.tailMap(fromInclusive, true);
    }
    if (Bytes.KEY_ORDER.compare(fromInclusive, toExclusive) >= 0) {
      return new TreeMap<>(Bytes.KEY_ORDER);
    }
    return map.subMap(fromInclusive, true, toExclusive, false);
  }

  /** The whole map, for maintenance scans. Heads may change while iterating. */
  public ConcurrentSkipListMap<byte[], Version> entries() {
    return map;
  }

  public long visibleSequence() {
    long stamp = lock.readLock();
    try {
      return visibleSequence;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** {live keys, live key+value bytes}, consistent with whole commits. */
  public long[] counts() {
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
          applyOne(record.key(i), record.value(i), sequence, keepHistory);
        }
        visibleSequence = sequence;
      }
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  private void applyOne(byte[] key, byte[] value, long sequence, boolean keepHistory) {
    Version old;
    if (keepHistory) {
      old = map.get(key);
      boolean wasLive = old != null && !old.isTombstone();
      if (value != null) {
        map.put(key, Version.inMemory(sequence, value, old));
      } else if (wasLive) {
        map.put(key, Version.tombstone(sequence, old));
      }
      if (old != null && (value != null || wasLive)) {
        historyKeys.add(key);
      }
    } else {
      // One skip-list traversal: no snapshot needs the old version.
      old = value != null ? map.put(key, Version.inMemory(sequence, value, null)) : map.remove(key);
    }
    if (old != null && !old.isTombstone()) {
      liveKeys--;
      liveBytes -= key.length + old.valueLength;
      if (old.isStored()) {
        old.segment.liveBytes().addAndGet(-old.recordBytes(key.length));
      }
    }
    if (value != null) {
      liveKeys++;
      liveBytes += key.length + value.length;
      memKeys.add(key);
    }
  }

  /** Hands over the keys written in memory since the last call; the writer calls it at WAL rotation. */
  public List<byte[]> takeMemKeys() {
    long stamp = lock.writeLock();
    try {
      List<byte[]> keys = memKeys;
      memKeys = new ArrayList<>();
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
   * Loads a checkpoint's entries, whose keys are strictly ascending; only during open, before any
   * other use. Builds the skip list in one pass.
   */
  public void loadSorted(byte[][] keys, Version[] versions, int count) {
    map = new ConcurrentSkipListMap<>(new SortedRun(keys, versions, 0, count));
    for (int i = 0; i < count; i++) {
      Version v = versions[i];
      liveKeys++;
      liveBytes += keys[i].length + v.valueLength;
      v.segment.liveBytes().addAndGet(v.recordBytes(keys[i].length));
    }
  }

  /** A head to replace: if {@code key}'s head is still {@code expected}, it becomes {@code replacement}. */
  public record Replacement(byte[] key, Version expected, Version replacement) {}

  /**
   * Moves heads to new locations (flush: memory to segment; compaction: old segment to new one),
   * a chunk at a time so that writers wait at most for one chunk. A head that changed meanwhile
   * is left alone: its old record simply becomes garbage. Returns how many moved.
   */
  public int replaceHeads(List<Replacement> replacements) {
    int moved = 0;
    int chunk = 1024;
    for (int from = 0; from < replacements.size(); from += chunk) {
      long stamp = lock.writeLock();
      try {
        for (Replacement r : replacements.subList(from, Math.min(replacements.size(), from + chunk))) {
          if (map.replace(r.key(), r.expected(), r.replacement())) {
            Segment s = r.replacement().segment;
            s.liveBytes().addAndGet(r.replacement().recordBytes(r.key().length));
            moved++;
          }
        }
      } finally {
        lock.unlockWrite(stamp);
      }
    }
    return moved;
  }

  /**
   * Drops versions and tombstones that no open snapshot can read any more. Keys still needed stay
   * queued for a later pass.
   */
  public void trimHistory() {
    if (historyKeys.isEmpty()) {
      return;
    }
    List<byte[]> keep = new ArrayList<>();
    long stamp = lock.writeLock();
    try {
      long oldest = oldestSnapshotSequence();
      for (Iterator<byte[]> it = historyKeys.iterator(); it.hasNext(); ) {
        byte[] key = it.next();
        it.remove();
        Version head = map.get(key);
        if (head == null) {
          continue;
        }
        if (oldest == Long.MAX_VALUE || head.sequence <= oldest) {
          head.prev = null;
          if (head.isTombstone()) {
            map.remove(key, head);
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
