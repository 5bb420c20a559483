package dev.cairn.store.sim;

import dev.cairn.store.Store;
import dev.cairn.store.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a single-threaded workload committed, in commit order: the acknowledged commits (commit i
 * has sequence i + 1), how many of them are durable, and the commit in flight when the store
 * failed, which may or may not have reached the disk. Replaying a prefix gives the state a
 * recovered store must hold. Keys are ASCII, so String order is the store's byte order. Not
 * thread-safe: one workload thread writes it.
 */
final class CommitLog {
  /** One operation; a null value is a delete. */
  record Op(String key, byte[] value) {}

  private final boolean syncDurability;
  private final List<List<Op>> acknowledged = new ArrayList<>();
  private final TreeSet<String> everWritten = new TreeSet<>();
  private final TreeMap<String, byte[]> latest = new TreeMap<>();
  private List<Op> inDoubt;
  private int durableCount;

  /** @param syncDurability whether each acknowledged commit is durable (Durability.SYNC) */
  CommitLog(boolean syncDurability) {
    this.syncDurability = syncDurability;
  }

  void put(Store store, String key, byte[] value) {
    List<Op> ops = List.of(new Op(key, value));
    begin(ops);
    acknowledge(store.put(utf8(key), value), ops);
  }

  /** Deletes a key that has a value (deleting an absent key writes no commit). */
  void delete(Store store, String key) {
    if (!latest.containsKey(key)) {
      throw new IllegalArgumentException("the workload deletes only live keys: " + key);
    }
    List<Op> ops = List.of(new Op(key, null));
    begin(ops);
    if (!store.delete(utf8(key))) {
      throw new AssertionError("delete of live key " + key + " found nothing");
    }
    acknowledge(store.lastSequence(), ops);
  }

  /** Commits {@code ops} as one {@link WriteBatch}. */
  void write(Store store, List<Op> ops) {
    WriteBatch batch = WriteBatch.create();
    for (Op op : ops) {
      if (op.value() == null) {
        batch.delete(utf8(op.key()));
      } else {
        batch.put(utf8(op.key()), op.value());
      }
    }
    List<Op> copy = List.copyOf(ops);
    begin(copy);
    acknowledge(store.write(batch), copy);
  }

  /** Records that {@code store.flush()} returned: every acknowledged commit is durable. */
  void flushed() {
    durableCount = acknowledged.size();
  }

  private void begin(List<Op> ops) {
    inDoubt = ops;
    for (Op op : ops) {
      everWritten.add(op.key());
    }
  }

  private void acknowledge(long sequence, List<Op> ops) {
    if (sequence != acknowledged.size() + 1) {
      throw new AssertionError("commit got sequence " + sequence + "; expected " + (acknowledged.size() + 1));
    }
    acknowledged.add(ops);
    apply(latest, ops);
    inDoubt = null;
    if (syncDurability) {
      durableCount = acknowledged.size();
    }
  }

  /** Acknowledged commits that must survive any crash. */
  int durableCount() {
    return durableCount;
  }

  /** The highest sequence a recovered store may hold: the acknowledged ones, plus the one in flight. */
  int maxSequence() {
    return acknowledged.size() + (inDoubt == null ? 0 : 1);
  }

  /** The live keys after every acknowledged commit. */
  TreeMap<String, byte[]> latest() {
    return new TreeMap<>(latest);
  }

  /** Every key any commit (acknowledged or in flight) touched. */
  List<String> everWritten() {
    return List.copyOf(everWritten);
  }

  /** The state after the first {@code sequence} commits, {@code sequence <= maxSequence()}. */
  TreeMap<String, byte[]> stateAt(long sequence) {
    TreeMap<String, byte[]> state = new TreeMap<>();
    for (int i = 0; i < sequence; i++) {
      apply(state, i < acknowledged.size() ? acknowledged.get(i) : inDoubt);
    }
    return state;
  }

  private static void apply(Map<String, byte[]> state, List<Op> ops) {
    for (Op op : ops) {
      if (op.value() == null) {
        state.remove(op.key());
      } else {
        state.put(op.key(), op.value());
      }
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
