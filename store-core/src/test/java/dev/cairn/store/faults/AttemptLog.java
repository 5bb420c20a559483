package dev.cairn.store.faults;

import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.testing.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The commits one single-threaded workload attempted, in order, and how many of them were
 * acknowledged (returned normally). Acknowledged commits are a prefix of the attempts: the
 * workload stops writing at its first failure. A store that failed may or may not hold the commit
 * whose call failed, so the states it may show are those after {@code k} attempts, for every
 * {@code k} from {@link #acknowledged()} to {@link #attempted()}: each is a prefix of the commit
 * order covering every acknowledged write. Keys are ASCII, so String order is the store's order.
 */
final class AttemptLog {
  /** One operation; a null value is a delete. */

  private final List<List<Op>> attempts = new ArrayList<>();
  private int acknowledged;

  /** Records a commit about to be attempted. */
  void attempt(List<Op> ops) {
    if (acknowledged != attempts.size()) {
      throw new IllegalStateException("the workload writes on after a failed commit");
    }
    attempts.add(List.copyOf(ops));
  }

  /** Records that the last attempted commit returned normally. */
  void acknowledge() {
    acknowledged = attempts.size();
  }

  int acknowledged() {
    return acknowledged;
  }

  int attempted() {
    return attempts.size();
  }

  /** The state after the first {@code k} attempted commits. */
  TreeMap<String, byte[]> stateAfter(int k) {
    TreeMap<String, byte[]> state = new TreeMap<>();
    for (List<Op> ops : attempts.subList(0, k)) {
      Op.apply(state, ops);
    }
    return state;
  }

  /** The operations of the acknowledged commits, in commit order. */
  List<Op> acknowledgedOps() {
    List<Op> ops = new ArrayList<>();
    for (List<Op> commit : attempts.subList(0, acknowledged)) {
      ops.addAll(commit);
    }
    return ops;
  }

  /** The value of {@code key} after every acknowledged commit (null if absent). */
  byte[] acknowledgedValue(String key) {
    return stateAfter(acknowledged).get(key);
  }

  /**
   * The number of attempts k in [acknowledged, attempted] whose state {@code store} holds, by a
   * full scan; -1 if it holds none of them.
   */
  int matchingPrefix(Store store) {
    TreeMap<String, byte[]> actual = new TreeMap<>();
    try (Cursor cursor = store.scan(KeyRange.all())) {
      while (cursor.hasNext()) {
        Entry e = cursor.next();
        actual.put(e.keyString(), e.value());
      }
    }
    for (int k = attempted(); k >= acknowledged; k--) {
      if (Op.sameState(stateAfter(k), actual)) {
        return k;
      }
    }
    return -1;
  }

}
