package dev.cairn.store.faults;

import static dev.cairn.store.testing.Op.utf8;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Store;
import dev.cairn.store.StoreException;
import dev.cairn.store.StoreFailedException;
import dev.cairn.store.StoreIOException;
import dev.cairn.store.testing.Op;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One workload run against a store whose file system fails one operation. Every call goes through
 * here: a write that returns is acknowledged in the {@link AttemptLog}; a call that fails must
 * fail with {@link StoreFailedException} or {@link StoreIOException} whose messages (with their
 * causes') name the file of the failed operation, and after a failed write the session writes no
 * more. Anything else is recorded as a problem, with the trial's name. Not thread-safe.
 */
final class FaultSession {
  private final String trial;
  private final Store store;
  private final FaultyVfs vfs;
  private final AttemptLog log;
  private final List<String> problems;
  private boolean failed;

  FaultSession(String trial, Store store, FaultyVfs vfs, AttemptLog log, List<String> problems) {
    this.trial = trial;
    this.store = store;
    this.vfs = vfs;
    this.log = log;
    this.problems = problems;
  }

  /** Whether a call has failed; the workload then writes no more. */
  boolean failed() {
    return failed;
  }

  void put(String key, byte[] value) {
    commit(List.of(new Op(key, value)), () -> store.put(utf8(key), value));
  }

  /** Commits {@code ops} as one batch. */
  void write(List<Op> ops) {
    commit(ops, () -> store.write(Op.batch(ops)));
  }

  /** Deletes {@code key} if it is live (deleting an absent key commits nothing). */
  void delete(String key) {
    if (failed || log.acknowledgedValue(key) == null) {
      return;
    }
    commit(List.of(new Op(key, null)), () -> {
      if (!store.delete(utf8(key))) {
        problems.add(trial + ": delete(" + key + ") found no live value");
      }
    });
  }

  void flush() {
    call("flush()", store::flush);
  }

  void compact() {
    call("compact()", store::compact);
  }

  /** Lets background work run for {@code millis}. */
  void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Gets {@code key}: the acknowledged value, or a clean I/O error if this read hit the fault. */
  void checkRead(String key) {
    if (failed) {
      return;
    }
    byte[] value;
    try {
      value = store.get(utf8(key));
    } catch (StoreIOException e) {
      checkNamesFailedFile(e, "get(" + key + ")");
      return;
    } catch (RuntimeException e) {
      problems.add(trial + ": get(" + key + ") threw " + e);
      return;
    }
    if (!Arrays.equals(log.acknowledgedValue(key), value)) {
      problems.add(trial + ": get(" + key + ") returned a wrong value");
    }
  }

  /**
   * Reads the change feed from the start: exactly the acknowledged commits' changes, in order. A
   * poll that hits the fault must fail with StoreIOException naming the file; polling again must
   * go on where the cursor was, neither skipping nor repeating a change.
   */
  void checkChangeFeed() {
    if (failed) {
      return;
    }
    List<Op> expected = log.acknowledgedOps();
    List<Change> got = new ArrayList<>();
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(0))) {
      int ioFailures = 0;
      while (got.size() < expected.size()) {
        List<Change> batch;
        try {
          batch = cursor.poll(Duration.ZERO);
        } catch (StoreIOException e) {
          checkNamesFailedFile(e, "a change feed poll");
          if (++ioFailures > 1) {
            problems.add(trial + ": the change feed failed twice with one fault");
            return;
          }
          continue;
        }
        if (batch.isEmpty()) {
          break;
        }
        got.addAll(batch);
      }
    } catch (StoreIOException e) {
      checkNamesFailedFile(e, "opening a change cursor");
      return;
    } catch (RuntimeException e) {
      problems.add(trial + ": the change feed threw " + e);
      return;
    }
    if (got.size() != expected.size()) {
      problems.add(trial + ": the change feed gave " + got.size() + " changes for " + expected.size() + " acknowledged");
      return;
    }
    for (int i = 0; i < got.size(); i++) {
      Change c = got.get(i);
      Op op = expected.get(i);
      boolean same = c.keyString().equals(op.key()) && Arrays.equals(c.value(), op.value())
          && c.kind() == (op.value() == null ? Change.Kind.DELETE : Change.Kind.PUT)
          && (i == 0 || c.sequence() >= got.get(i - 1).sequence());
      if (!same) {
        problems.add(trial + ": change " + i + " of the feed is not the acknowledged commit's (" + c.keyString() + ")");
        return;
      }
    }
  }

  private void commit(List<Op> ops, Runnable write) {
    if (failed) {
      return;
    }
    log.attempt(ops);
    if (call("write of " + ops.get(0).key(), write)) {
      log.acknowledge();
    }
  }

  /** Runs one call; false (and the session failed) if it threw. */
  private boolean call(String what, Runnable action) {
    if (failed) {
      return false;
    }
    try {
      action.run();
      return true;
    } catch (StoreFailedException | StoreIOException e) {
      failed = true;
      checkNamesFailedFile(e, what);
      return false;
    } catch (RuntimeException e) {
      failed = true;
      problems.add(trial + ": " + what + " threw " + e.getClass().getName() + ", not a typed store error: " + e);
      return false;
    }
  }

  /** Records a problem unless {@code e} or one of its causes names the file the fault hit. */
  void checkNamesFailedFile(StoreException e, String what) {
    if (vfs.failedPath() == null) {
      problems.add(trial + ": " + what + " failed with no fault injected: " + e);
      return;
    }
    String name = vfs.failedPath().getFileName().toString();
    if (!messages(e).contains(name)) {
      problems.add(trial + ": " + what + " failed (" + vfs.failedOperation() + ") but no message names "
          + name + ": " + messages(e));
    }
  }

  /** The messages of {@code t} and its causes, joined. */
  static String messages(Throwable t) {
    List<String> all = new ArrayList<>();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.add(c.getClass().getSimpleName() + ": " + c.getMessage());
    }
    return String.join(" <- ", all);
  }

}
