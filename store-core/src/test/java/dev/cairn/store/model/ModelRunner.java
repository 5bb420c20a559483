package dev.cairn.store.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.Store;
import dev.cairn.store.StoreStats;
import dev.cairn.store.WriteBatch;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Applies {@link Op}s to a store and to a {@link ReferenceModel}, and asserts after each step that
 * the store answered as the model says. Every failure message starts with the runner's label (seed
 * and configuration), the step index and the step, and ends with the steps before it.
 *
 * <p>With exact sequences the runner is the store's only user: each commit must get the model's
 * last sequence plus one, and {@code lastSequence()} must match after every step. Otherwise other
 * threads write other keys meanwhile, and the runner checks only that the sequences returned to it
 * increase and that snapshots see its own earlier commits. Not thread-safe: one runner per thread.
 */
final class ModelRunner implements AutoCloseable {
  private static final int RECENT_STEPS = 12;

  private final String label;
  private final boolean exactSequences;
  private final Supplier<Store> opener;
  private final ReferenceModel model;
  private final ViewSlots views;
  private final ArrayDeque<String> recent = new ArrayDeque<>();
  private Store store;
  private long lastReturnedSequence;
  private int stepIndex = -1;
  private Op step;

  /**
   * @param opener opens the store again for {@link Op.Reopen}; null if this runner may not reopen
   */
  ModelRunner(String label, Store store, ReferenceModel model, boolean exactSequences, Supplier<Store> opener) {
    this.label = label;
    this.store = store;
    this.model = model;
    this.exactSequences = exactSequences;
    this.opener = opener;
    this.views = new ViewSlots(this);
  }

  Store store() {
    return store;
  }

  ReferenceModel model() {
    return model;
  }

  /** Applies step number {@code index} to the store and the model and checks the answers. */
  void apply(int index, Op op) {
    stepIndex = index;
    step = op;
    if (op instanceof Op.Put p) {
      long sequence = store.put(p.key(), p.value());
      model.set(p.key(), p.value(), checkCommitSequence(sequence, "put"));
    } else if (op instanceof Op.Delete d) {
      boolean live = model.get(d.key()) != null;
      assertEquals(live, store.delete(d.key()), at("delete result"));
      if (live) {
        model.set(d.key(), null, unreturnedSequence());
      }
    } else if (op instanceof Op.Batch b) {
      applyBatch(b);
    } else if (op instanceof Op.CompareAndSet c) {
      byte[] current = model.get(c.key());
      boolean holds = Arrays.equals(current, c.expected());
      assertEquals(holds, store.compareAndSet(c.key(), c.expected(), c.newValue()), at("compareAndSet result"));
      if (holds && !(current == null && c.newValue() == null)) {
        model.set(c.key(), c.newValue(), unreturnedSequence());
      }
    } else if (op instanceof Op.Update u) {
      byte[] current = model.get(u.key());
      byte[] next = u.transform().apply(current, u.replacement());
      assertValue(next, store.update(u.key(), v -> u.transform().apply(v, u.replacement())), "update result");
      if (!Arrays.equals(current, next)) {
        model.set(u.key(), next, unreturnedSequence());
      }
    } else if (op instanceof Op.Get g) {
      byte[] expected = model.get(g.key());
      assertValue(expected, store.get(g.key()), "get");
      assertEquals(expected != null, store.contains(g.key()), at("contains"));
    } else if (op instanceof Op.Scan s) {
      try (Cursor cursor = store.scan(s.range().toKeyRange())) {
        assertEntries(model.scan(s.range()), cursor, "scan " + s.range());
      }
    } else if (op instanceof Op.Flush) {
      store.flush();
    } else if (op instanceof Op.Compact) {
      store.compact();
      if (exactSequences) {
        double garbage = store.stats().garbageRatio();
        assertTrue(garbage < 1e-9, at("garbage ratio right after compact() is " + garbage));
      }
    } else if (op instanceof Op.Stats) {
      checkStats();
    } else if (op instanceof Op.Reopen r) {
      reopen(r.viewsOutliveStore());
    } else {
      views.apply(index, op);
    }
    if (exactSequences) {
      assertEquals(model.lastSequence(), store.lastSequence(), at("lastSequence()"));
    }
    recent.addLast("#" + index + " " + op);
    if (recent.size() > RECENT_STEPS) {
      recent.removeFirst();
    }
  }

  private void applyBatch(Op.Batch b) {
    WriteBatch batch = WriteBatch.create();
    for (ReferenceModel.Write w : b.writes()) {
      if (w.value() == null) {
        batch.delete(w.key());
      } else {
        batch.put(w.key(), w.value());
      }
    }
    long sequence;
    if (b.async()) {
      var future = store.writeAsync(batch);
      batch.clear().put(new byte[] {1}, new byte[] {2}); // encoded already: reusing it changes nothing
      try {
        sequence = future.get(60, TimeUnit.SECONDS);
      } catch (InterruptedException | ExecutionException | TimeoutException e) {
        throw new AssertionError(at("writeAsync failed").get(), e);
      }
    } else {
      sequence = store.write(batch);
    }
    if (!b.writes().isEmpty()) {
      model.write(b.writes(), checkCommitSequence(sequence, "write"));
    }
  }

  /** Checks the sequence a commit returned; returns it for the model. */
  private long checkCommitSequence(long sequence, String what) {
    if (exactSequences) {
      assertEquals(model.lastSequence() + 1, sequence, at(what + " sequence"));
    } else {
      long previous = lastReturnedSequence;
      assertTrue(sequence > previous, at(what + " sequence " + sequence + " not after " + previous));
    }
    lastReturnedSequence = sequence;
    return sequence;
  }

  /** The sequence of a commit whose number the store does not return (delete, CAS, update). */
  private long unreturnedSequence() {
    return exactSequences ? model.lastSequence() + 1 : ReferenceModel.UNKNOWN_SEQUENCE;
  }

  boolean exactSequences() {
    return exactSequences;
  }

  /** Sequences returned to this runner's thread so far: its snapshots must see at least these. */
  long lastReturnedSequence() {
    return lastReturnedSequence;
  }

  private void checkStats() {
    StoreStats stats = store.stats();
    assertEquals(model.size(), stats.keys(), at("stats().keys"));
    assertEquals(model.liveBytes(), stats.liveBytes(), at("stats().liveBytes"));
    assertEquals(model.lastSequence(), stats.lastSequence(), at("stats().lastSequence"));
    assertTrue(stats.garbageRatio() >= 0 && stats.garbageRatio() <= 1, at("stats().garbageRatio " + stats.garbageRatio()));
  }

  private void reopen(boolean viewsOutliveStore) {
    if (!viewsOutliveStore) {
      views.closeAll();
    }
    store.close();
    views.assertAllRefuseReads();
    views.closeAll();
    store = opener.get();
    assertEquals(model.lastSequence(), store.lastSequence(), at("lastSequence() after reopen"));
    verifyContents("after reopen");
  }

  /** Compares the whole store with the model: a full scan, a get of every key, and the counters. */
  void verifyContents(String what) {
    verifyRange(ScanRange.all(), what);
    if (exactSequences) {
      assertEquals(model.lastSequence(), store.lastSequence(), at("lastSequence() " + what));
      checkStats();
    }
  }

  /** Compares {@code range} of the store with the model: a scan, and a get of every key in it. */
  void verifyRange(ScanRange range, String what) {
    List<Map.Entry<byte[], ReferenceModel.Versioned>> expected = model.scan(range);
    try (Cursor cursor = store.scan(range.toKeyRange())) {
      assertEntries(expected, cursor, "scan " + range + " " + what);
      assertThrows(NoSuchElementException.class, cursor::next, at("next() past the end, " + what));
    }
    for (Map.Entry<byte[], ReferenceModel.Versioned> e : expected) {
      assertValue(e.getValue().value(), store.get(e.getKey()), "get " + ModelBytes.hex(e.getKey()) + " " + what);
    }
  }

  // ---------------------------------------------------------------- assertions

  /** A failure message: label, step and what failed, then the steps before. */
  Supplier<String> at(String what) {
    return () -> label + " op#" + stepIndex + " " + step + ": " + what
        + "\n  previous steps:\n    " + String.join("\n    ", recent);
  }

  void assertValue(byte[] expected, byte[] actual, String what) {
    if (!Arrays.equals(expected, actual)) {
      fail(at(what + ": expected " + ModelBytes.describe(expected) + " but was " + ModelBytes.describe(actual)));
    }
  }

  /** Reads {@code cursor} to its end and compares it with {@code expected}, sequences included. */
  void assertEntries(List<Map.Entry<byte[], ReferenceModel.Versioned>> expected, Cursor cursor, String what) {
    for (int i = 0; i < expected.size(); i++) {
      if (!cursor.hasNext()) {
        fail(at(what + ": ended after " + i + " entries; expected " + ModelBytes.hex(expected.get(i).getKey()) + " next"));
      }
      assertEntry(expected.get(i), cursor.next(), what + " entry " + i);
    }
    if (cursor.hasNext()) {
      fail(at(what + ": unexpected entry " + cursor.next() + " after the expected " + expected.size()));
    }
  }

  void assertEntry(Map.Entry<byte[], ReferenceModel.Versioned> expected, Entry actual, String what) {
    byte[] key = expected.getKey();
    if (!Arrays.equals(key, actual.key())) {
      fail(at(what + ": expected key " + ModelBytes.hex(key) + " but was " + ModelBytes.hex(actual.key())));
    }
    assertValue(expected.getValue().value(), actual.value(), what + " value of " + ModelBytes.hex(key));
    long sequence = expected.getValue().sequence();
    if (sequence != ReferenceModel.UNKNOWN_SEQUENCE && sequence != actual.sequence()) {
      fail(at(what + ": expected the value of " + ModelBytes.hex(key) + " from commit " + sequence + " but it is from "
          + actual.sequence()));
    }
  }

  /** Closes open snapshots and cursors; the store stays open (the caller owns it). */
  @Override
  public void close() {
    views.closeAll();
  }
}
