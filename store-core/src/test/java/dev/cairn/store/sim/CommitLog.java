package dev.cairn.store.sim;

import static dev.cairn.store.testing.Op.apply;
import static dev.cairn.store.testing.Op.batch;
import static dev.cairn.store.testing.Op.utf8;

import dev.cairn.store.Store;
import dev.cairn.store.WriteBatch;
import dev.cairn.store.testing.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What a workload committed, in commit order: every commit it submitted (commit i gets sequence
 * i + 1, since one thread submits them in order), how many were acknowledged, and how many of those
 * are durable. Submitted commits past the acknowledged ones were in flight when the store failed
 * and may or may not have reached the disk. Replaying a prefix gives the state a recovered store
 * must hold. Keys are ASCII, so String order is the store's byte order. Not thread-safe: the
 * workload's one thread writes it.
 */
final class CommitLog {
  /** One operation; a null value is a delete. */

  private final boolean syncDurability;
  private final List<List<Op>> submitted = new ArrayList<>();
  private final TreeSet<String> everWritten = new TreeSet<>();
  private final TreeMap<String, byte[]> afterSubmitted = new TreeMap<>();
  private int acknowledgedCount;
  private int durableCount;

  /** @param syncDurability whether each acknowledged commit is durable (Durability.SYNC) */
  CommitLog(boolean syncDurability) {
    this.syncDurability = syncDurability;
  }

  void put(Store store, String key, byte[] value) {
    submit(List.of(new Op(key, value)));
    acknowledge(store.put(utf8(key), value));
  }

  /** Deletes a key that has a value (deleting an absent key writes no commit). */
  void delete(Store store, String key) {
    if (!afterSubmitted.containsKey(key)) {
      throw new IllegalArgumentException("the workload deletes only live keys: " + key);
    }
    submit(List.of(new Op(key, null)));
    if (!store.delete(utf8(key))) {
      throw new AssertionError("delete of live key " + key + " found nothing");
    }
    acknowledge(store.lastSequence());
  }

  /** Commits {@code ops} as one {@link WriteBatch}. */
  void write(Store store, List<Op> ops) {
    WriteBatch batch = batch(ops);
    submit(ops);
    acknowledge(store.write(batch));
  }

  /** Submits {@code ops} as one batch through {@code writeAsync}; see {@link #awaitInOrder}. */
  CompletableFuture<Long> writeAsync(Store store, List<Op> ops) {
    WriteBatch batch = batch(ops);
    submit(ops);
    return store.writeAsync(batch);
  }

  /** Waits for {@code futures} (the unacknowledged submissions, in order) and acknowledges each. */
  void awaitInOrder(List<CompletableFuture<Long>> futures) {
    for (CompletableFuture<Long> f : futures) {
      long sequence;
      try {
        sequence = f.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause() : e;
      }
      acknowledge(sequence);
    }
  }

  /** Records that {@code store.flush()} returned: every acknowledged commit is durable. */
  void flushed() {
    durableCount = acknowledgedCount;
  }


  private void submit(List<Op> ops) {
    List<Op> copy = List.copyOf(ops);
    submitted.add(copy);
    apply(afterSubmitted, copy);
    for (Op op : copy) {
      everWritten.add(op.key());
    }
  }

  private void acknowledge(long sequence) {
    if (sequence != acknowledgedCount + 1) {
      throw new AssertionError("commit got sequence " + sequence + "; expected " + (acknowledgedCount + 1));
    }
    acknowledgedCount++;
    if (syncDurability) {
      durableCount = acknowledgedCount;
    }
  }

  /** Acknowledged commits that must survive any crash. */
  int durableCount() {
    return durableCount;
  }

  /** The highest sequence a recovered store may hold: every commit submitted, acknowledged or in flight. */
  int maxSequence() {
    return submitted.size();
  }

  /** Every key any commit (acknowledged or in flight) touched. */
  List<String> everWritten() {
    return List.copyOf(everWritten);
  }

  /** The state after the first {@code sequence} commits, {@code sequence <= maxSequence()}. */
  TreeMap<String, byte[]> stateAt(long sequence) {
    TreeMap<String, byte[]> state = new TreeMap<>();
    for (int i = 0; i < sequence; i++) {
      apply(state, submitted.get(i));
    }
    return state;
  }


}
