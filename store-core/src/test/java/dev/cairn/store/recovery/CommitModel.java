package dev.cairn.store.recovery;

import static dev.cairn.store.testing.Op.apply;
import static dev.cairn.store.testing.Op.batch;
import static dev.cairn.store.testing.Op.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.testing.Op;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The commits a test made, in commit order with the sequence the store gave each, and the state
 * they produce: replaying the commits up to a sequence into a {@link TreeMap} gives what a
 * recovered store must hold. Keys are ASCII, so String order is the store's byte order.
 */
final class CommitModel {
  /** One operation; a null value is a delete. */

  /** One commit: all its operations share one sequence. */
  record Commit(long sequence, List<Op> ops) {}

  private final List<Commit> commits = new ArrayList<>();
  private final TreeMap<String, byte[]> latest = new TreeMap<>();
  private final TreeSet<String> everWritten = new TreeSet<>();

  long put(Store store, String key, byte[] value) {
    return record(store.put(utf8(key), value), List.of(new Op(key, value)));
  }

  /** Deletes a key that has a value (deleting an absent key writes no commit). */
  long delete(Store store, String key) {
    assertTrue(latest.containsKey(key), "the model only deletes live keys: " + key);
    assertTrue(store.delete(utf8(key)), "delete of live key " + key);
    return record(store.lastSequence(), List.of(new Op(key, null)));
  }

  /** Commits {@code ops} as one {@link WriteBatch}. */
  long write(Store store, List<Op> ops) {
    return record(store.write(batch(ops)), List.copyOf(ops));
  }

  private long record(long sequence, List<Op> ops) {
    long previous = commits.isEmpty() ? 0 : commits.get(commits.size() - 1).sequence();
    assertTrue(sequence > previous, "sequence " + sequence + " follows " + previous);
    commits.add(new Commit(sequence, ops));
    apply(latest, ops);
    for (Op op : ops) {
      everWritten.add(op.key());
    }
    return sequence;
  }

  List<Commit> commits() {
    return Collections.unmodifiableList(commits);
  }

  /** The state after every commit so far. */
  SortedMap<String, byte[]> latest() {
    return Collections.unmodifiableSortedMap(latest);
  }

  /** Every key any commit touched, live or not. */
  List<String> everWritten() {
    return List.copyOf(everWritten);
  }

  /** The state after exactly the commits with a sequence at or below {@code sequence}. */
  TreeMap<String, byte[]> stateAt(long sequence) {
    TreeMap<String, byte[]> state = new TreeMap<>();
    for (Commit c : commits) {
      if (c.sequence() <= sequence) {
        apply(state, c.ops());
      }
    }
    return state;
  }


  /**
   * Asserts that {@code store} holds exactly {@code expected}: each of {@code probes} reads its
   * expected value (null when absent), and a full scan yields exactly the expected entries.
   */
  static void assertHolds(Store store, SortedMap<String, byte[]> expected, Iterable<String> probes, String context) {
    for (String key : probes) {
      assertArrayEquals(expected.get(key), store.get(utf8(key)), context + ": get(" + key + ")");
    }
    List<String> scannedKeys = new ArrayList<>();
    try (Cursor cursor = store.scan(KeyRange.all())) {
      while (cursor.hasNext()) {
        Entry e = cursor.next();
        scannedKeys.add(e.keyString());
        assertArrayEquals(expected.get(e.keyString()), e.value(), context + ": scanned value of " + e.keyString());
      }
    }
    assertEquals(new ArrayList<>(expected.keySet()), scannedKeys, context + ": scanned keys");
  }

}
