package dev.cairn.store.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Cursor;
import dev.cairn.store.Snapshot;
import dev.cairn.store.StoreClosedException;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The snapshots and long-lived cursors of a {@link ModelRunner}, each kept with what it must show:
 * a copy of the model taken when it opened. Later steps read them after more writes, flushes,
 * compactions, so a view that drifts from its point in time is caught.
 */
final class ViewSlots {
  /** A snapshot and the model as it was when the snapshot opened. */
  private record SnapshotView(Snapshot snapshot, ReferenceModel saved, int openedAt) {}

  /** A cursor, the entries it must return, and how many it has returned. */
  private static final class CursorView {
    final Cursor cursor;
    final List<Map.Entry<byte[], ReferenceModel.Versioned>> expected;
    final String what;
    int position;

    CursorView(Cursor cursor, List<Map.Entry<byte[], ReferenceModel.Versioned>> expected, String what) {
      this.cursor = cursor;
      this.expected = expected;
      this.what = what;
    }
  }

  private final ModelRunner runner;
  private final SnapshotView[] snapshots = new SnapshotView[OpGenerator.SNAPSHOT_SLOTS];
  private final CursorView[] cursors = new CursorView[OpGenerator.CURSOR_SLOTS];

  ViewSlots(ModelRunner runner) {
    this.runner = runner;
  }

  void apply(int index, Op op) {
    if (op instanceof Op.OpenSnapshot o) {
      closeSnapshot(o.slot());
      Snapshot snapshot = runner.store().snapshot();
      snapshots[o.slot()] = new SnapshotView(snapshot, runner.model().copy(), index);
      if (runner.exactSequences()) {
        assertEquals(runner.model().lastSequence(), snapshot.sequence(), runner.at("snapshot sequence"));
      } else {
        assertTrue(snapshot.sequence() >= runner.lastReturnedSequence(),
            runner.at("snapshot at " + snapshot.sequence() + " misses this thread's commit " + runner.lastReturnedSequence()));
      }
    } else if (op instanceof Op.CheckSnapshot c) {
      checkSnapshot(c);
    } else if (op instanceof Op.CloseSnapshot c) {
      closeSnapshot(c.slot());
    } else if (op instanceof Op.OpenCursor o) {
      closeCursor(o.slot());
      String what = "cursor " + o.range() + " opened at op#" + index;
      cursors[o.slot()] = new CursorView(runner.store().scan(o.range().toKeyRange()), runner.model().scan(o.range()), what);
    } else if (op instanceof Op.AdvanceCursor a) {
      advanceCursor(a.slot(), a.steps());
    } else {
      throw new IllegalArgumentException("not a view step: " + op);
    }
  }

  private void checkSnapshot(Op.CheckSnapshot c) {
    SnapshotView view = snapshots[c.slot()];
    if (view == null) {
      return;
    }
    String what = "snapshot opened at op#" + view.openedAt();
    if (runner.exactSequences()) {
      assertEquals(view.saved().lastSequence(), view.snapshot().sequence(), runner.at(what + ": sequence()"));
    }
    for (byte[] key : c.keys()) {
      byte[] expected = view.saved().get(key);
      runner.assertValue(expected, view.snapshot().get(key), what + ": get " + ModelBytes.hex(key));
      assertEquals(expected != null, view.snapshot().contains(key), runner.at(what + ": contains " + ModelBytes.hex(key)));
    }
    try (Cursor cursor = view.snapshot().scan(c.range().toKeyRange())) {
      runner.assertEntries(view.saved().scan(c.range()), cursor, what + ": scan " + c.range());
    }
  }

  private void advanceCursor(int slot, int steps) {
    CursorView view = cursors[slot];
    if (view == null) {
      return;
    }
    for (int i = 0; i < steps; i++) {
      if (view.position == view.expected.size()) {
        assertFalse(view.cursor.hasNext(), runner.at(view.what + ": entry beyond the " + view.position + " expected"));
        assertThrows(NoSuchElementException.class, view.cursor::next, runner.at(view.what + ": next() at the end"));
        closeCursor(slot);
        return;
      }
      Map.Entry<byte[], ReferenceModel.Versioned> expected = view.expected.get(view.position);
      assertTrue(view.cursor.hasNext(), runner.at(view.what + ": ended after " + view.position + " of "
          + view.expected.size() + " entries"));
      runner.assertEntry(expected, view.cursor.next(), view.what + " entry " + view.position);
      view.position++;
    }
  }

  /** After the store closed: every open snapshot and cursor must throw {@link StoreClosedException}. */
  void assertAllRefuseReads() {
    for (SnapshotView view : snapshots) {
      if (view != null) {
        assertThrows(StoreClosedException.class, () -> view.snapshot().get(new byte[] {0}),
            runner.at("snapshot read after the store closed"));
      }
    }
    for (CursorView view : cursors) {
      if (view != null) {
        assertThrows(StoreClosedException.class, view.cursor::hasNext, runner.at("cursor read after the store closed"));
      }
    }
  }

  private void closeSnapshot(int slot) {
    if (snapshots[slot] != null) {
      snapshots[slot].snapshot().close();
      snapshots[slot] = null;
    }
  }

  private void closeCursor(int slot) {
    if (cursors[slot] != null) {
      cursors[slot].cursor.close();
      cursors[slot] = null;
    }
  }

  void closeAll() {
    for (int i = 0; i < cursors.length; i++) {
      closeCursor(i);
    }
    for (int i = 0; i < snapshots.length; i++) {
      closeSnapshot(i);
    }
  }
}
