package dev.cairn.store.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One step of a model test, with every random choice already made, so that a sequence of steps
 * can be replayed (or cut down) without the generator. Snapshot and cursor steps name a slot; a
 * step on an empty slot does nothing.
 */
sealed interface Op {
  record Put(byte[] key, byte[] value) implements Op {
    @Override
    public String toString() {
      return "put(" + ModelBytes.hex(key) + ", " + ModelBytes.describe(value) + ")";
    }
  }

  record Delete(byte[] key) implements Op {
    @Override
    public String toString() {
      return "delete(" + ModelBytes.hex(key) + ")";
    }
  }

  /** A {@code WriteBatch}, committed by {@code write} or {@code writeAsync}. */
  record Batch(List<ReferenceModel.Write> writes, boolean async) implements Op {
    @Override
    public String toString() {
      return (async ? "writeAsync" : "write") + writes.stream().map(Object::toString)
          .collect(Collectors.joining(", ", "[", "]"));
    }
  }

  record CompareAndSet(byte[] key, byte[] expected, byte[] newValue) implements Op {
    @Override
    public String toString() {
      return "compareAndSet(" + ModelBytes.hex(key) + ", " + ModelBytes.describe(expected) + ", "
          + ModelBytes.describe(newValue) + ")";
    }
  }

  record Update(byte[] key, Transform transform, byte[] replacement) implements Op {
    @Override
    public String toString() {
      return "update(" + ModelBytes.hex(key) + ", " + transform
          + (transform.usesReplacement() ? " " + ModelBytes.describe(replacement) : "") + ")";
    }
  }

  /** {@code get} and {@code contains}. */
  record Get(byte[] key) implements Op {
    @Override
    public String toString() {
      return "get(" + ModelBytes.hex(key) + ")";
    }
  }

  record Scan(ScanRange range) implements Op {
    @Override
    public String toString() {
      return "scan(" + range + ")";
    }
  }

  record OpenSnapshot(int slot) implements Op {}

  /** Reads {@code keys} and scans {@code range} through the snapshot in {@code slot}. */
  record CheckSnapshot(int slot, List<byte[]> keys, ScanRange range) implements Op {
    @Override
    public String toString() {
      return "checkSnapshot(" + slot + ", " + keys.stream().map(ModelBytes::hex).collect(Collectors.joining(", "))
          + ", " + range + ")";
    }
  }

  record CloseSnapshot(int slot) implements Op {}

  /** Opens a cursor that is read a few entries at a time by later {@link AdvanceCursor} steps. */
  record OpenCursor(int slot, ScanRange range) implements Op {}

  record AdvanceCursor(int slot, int steps) implements Op {}

  record Flush() implements Op {}

  record Compact() implements Op {}

  /** Checks {@code stats()} against the model. */
  record Stats() implements Op {}

  /**
   * Closes and reopens the store. With {@code viewsOutliveStore}, open snapshots and cursors are
   * closed after the store, and must refuse reads once it is closed.
   */
  record Reopen(boolean viewsOutliveStore) implements Op {}

  /** The functions {@code update} applies: pure, so that a retried call gives the same result. */
  enum Transform {
    /** Big-endian increment; absent counts as zero. */
    INCREMENT,
    APPEND_BYTE,
    /** Returns the very array it was given: a no-op. */
    IDENTITY,
    /** Returns an equal copy: also a no-op. */
    EQUAL_COPY,
    DELETE,
    REPLACE,
    /** Absent becomes the replacement; present is deleted. */
    TOGGLE;

    boolean usesReplacement() {
      return this == REPLACE || this == TOGGLE;
    }

    byte[] apply(byte[] current, byte[] replacement) {
      return switch (this) {
        case INCREMENT -> increment(current);
        case APPEND_BYTE -> current == null ? new byte[] {0} : ModelBytes.concat(current, new byte[] {(byte) 0xA5});
        case IDENTITY -> current;
        case EQUAL_COPY -> current == null ? null : current.clone();
        case DELETE -> null;
        case REPLACE -> replacement;
        case TOGGLE -> current == null ? replacement : null;
      };
    }

    private static byte[] increment(byte[] current) {
      if (current == null || current.length == 0) {
        return new byte[] {1};
      }
      byte[] next = current.clone();
      for (int i = next.length - 1; i >= 0; i--) {
        if (++next[i] != 0) {
          return next;
        }
      }
      return ModelBytes.concat(new byte[] {1}, next);
    }
  }
}
