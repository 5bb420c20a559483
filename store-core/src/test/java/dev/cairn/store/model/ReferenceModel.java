package dev.cairn.store.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

/**
 * What a store should hold: a {@link TreeMap} ordered by unsigned bytes, with the sequence of the
 * commit that wrote each value. The model only applies commits; deciding whether an operation
 * commits (a delete of a live key, a CAS whose expectation holds, an update that changes the
 * value) is done by the caller, with {@link #get}. Not thread-safe; arrays handed in are never
 * modified afterwards.
 */
final class ReferenceModel {
  /** Sequence of a commit whose number the caller could not know (concurrent writers). */
  static final long UNKNOWN_SEQUENCE = -1;

  /** A value and the sequence of the commit that wrote it. */
  record Versioned(byte[] value, long sequence) {}

  /** One operation of a batch: a put, or a delete when {@code value} is null. */
  record Write(byte[] key, byte[] value) {
    @Override
    public String toString() {
      return value == null ? "delete " + ModelBytes.hex(key)
          : "put " + ModelBytes.hex(key) + "=" + ModelBytes.describe(value);
    }
  }

  private final TreeMap<byte[], Versioned> entries;
  private long lastSequence;
  private long commits;
  private long liveBytes;

  ReferenceModel() {
    this(new TreeMap<>(Arrays::compareUnsigned), 0, 0, 0);
  }

  private ReferenceModel(TreeMap<byte[], Versioned> entries, long lastSequence, long commits, long liveBytes) {
    this.entries = entries;
    this.lastSequence = lastSequence;
    this.commits = commits;
    this.liveBytes = liveBytes;
  }

  /** An independent copy: what a snapshot taken now must keep showing. */
  ReferenceModel copy() {
    return new ReferenceModel(new TreeMap<>(entries), lastSequence, commits, liveBytes);
  }

  byte[] get(byte[] key) {
    Versioned v = entries.get(key);
    return v == null ? null : v.value();
  }

  /** Highest known sequence of a commit applied to the model. */
  long lastSequence() {
    return lastSequence;
  }

  /** Number of commits applied (each consumed one sequence). */
  long commits() {
    return commits;
  }

  int size() {
    return entries.size();
  }

  /** Sum of key and value lengths of live entries, as {@code StoreStats.liveBytes}. */
  long liveBytes() {
    return liveBytes;
  }

  NavigableMap<byte[], Versioned> entries() {
    return Collections.unmodifiableNavigableMap(entries);
  }

  /** Entries of {@code range} in key order. */
  List<Map.Entry<byte[], Versioned>> scan(ScanRange range) {
    List<Map.Entry<byte[], Versioned>> out = new ArrayList<>();
    for (Map.Entry<byte[], Versioned> e : entries.entrySet()) {
      if (range.contains(e.getKey())) {
        out.add(Map.entry(e.getKey(), e.getValue()));
      }
    }
    return out;
  }

  /** A live key near a random point, or null when empty. */
  byte[] randomLiveKey(Random random, byte[] probe) {
    if (entries.isEmpty()) {
      return null;
    }
    byte[] k = random.nextBoolean() ? entries.ceilingKey(probe) : entries.floorKey(probe);
    return k != null ? k : entries.firstKey();
  }

  // ---------------------------------------------------------------- commits

  /** Applies a commit that sets {@code key} to {@code value} (null: delete). */
  void set(byte[] key, byte[] value, long sequence) {
    commit(sequence);
    apply(key, value, sequence);
  }

  /** Applies a committed batch: one sequence, later writes to a key win. */
  void write(List<Write> writes, long sequence) {
    commit(sequence);
    for (Write w : writes) {
      apply(w.key(), w.value(), sequence);
    }
  }

  private void commit(long sequence) {
    commits++;
    if (sequence != UNKNOWN_SEQUENCE) {
      if (sequence <= lastSequence) {
        throw new IllegalArgumentException("sequence " + sequence + " after " + lastSequence);
      }
      lastSequence = sequence;
    }
  }

  private void apply(byte[] key, byte[] value, long sequence) {
    Versioned old = value == null ? entries.remove(key) : entries.put(key, new Versioned(value, sequence));
    if (old != null) {
      liveBytes -= key.length + old.value().length;
    }
    if (value != null) {
      liveBytes += key.length + value.length;
    }
  }
}
