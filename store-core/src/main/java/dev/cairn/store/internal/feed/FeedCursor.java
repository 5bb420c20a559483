package dev.cairn.store.internal.feed;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeCursor;
import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.StoreClosedException;
import dev.cairn.store.StoreException;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.wal.WalRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A {@link ChangeCursor} over a {@link WalHistory}, optionally preceded by a snapshot phase that
 * reports every live entry as {@code EXISTING}. Not thread-safe but for {@link #onAvailable()}.
 */
public final class FeedCursor implements ChangeCursor {
  /** Changes one poll aims to return; a commit is never split, so one poll may return more. */
  private static final int TARGET_CHANGES = 1024;
  /** Filtered-out commits one poll may skip before it returns empty, so a poll never runs long. */
  private static final int MAX_SKIPPED_COMMITS = 65_536;

  private final Vfs vfs;
  private final WalHistory history;
  private final KeyRange range;
  private final BooleanSupplier storeClosed;
  private Cursor snapshot; // non-null during the snapshot phase
  private long snapshotSequence;
  private HistoryReader reader;
  private long position;
  private volatile boolean closed;

  /** A cursor that reports changes after {@code sequence}. */
  public FeedCursor(Vfs vfs, WalHistory history, long sequence, KeyRange range, BooleanSupplier storeClosed) {
    this.vfs = vfs;
    this.history = history;
    this.range = range;
    this.storeClosed = storeClosed;
    this.position = sequence;
    this.reader = new HistoryReader(vfs, history, sequence);
  }

  /** A cursor that first reports the entries of {@code snapshot} (taken at {@code sequence}), then the changes after it. */
  public FeedCursor(Vfs vfs, WalHistory history, Cursor snapshot, long sequence, KeyRange range,
      BooleanSupplier storeClosed) {
    this.vfs = vfs;
    this.history = history;
    this.range = range;
    this.storeClosed = storeClosed;
    this.snapshot = snapshot;
    this.snapshotSequence = sequence;
    this.position = -1;
  }

  @Override
  public List<Change> poll(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    checkOpen();
    if (snapshot != null) {
      List<Change> existing = new ArrayList<>();
      while (existing.size() < TARGET_CHANGES && snapshot.hasNext()) {
        Entry e = snapshot.next();
        existing.add(new Change(snapshotSequence, Change.Kind.EXISTING, e.key(), e.value()));
      }
      if (!snapshot.hasNext()) {
        reader = new HistoryReader(vfs, history, snapshotSequence);
        snapshot.close();
        snapshot = null;
        position = snapshotSequence;
      }
      if (!existing.isEmpty()) {
        return existing;
      }
    }
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    for (;;) {
      long before = position;
      List<Change> changes = readAvailable();
      if (!changes.isEmpty()) {
        return changes;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return changes;
      }
      if (position != before) {
        continue; // skipped filtered-out commits; there may be more
      }
      if (history.published().lastSequence() > position) {
        LockSupport.parkNanos(Math.min(remaining, 1_000_000)); // published, but its WAL is being switched
      } else if (!await(onAvailable(), remaining)) {
        return changes;
      }
      checkOpen();
    }
  }

  /**
   * Reads the published commits, up to the targets. A failure after some changes were read returns
   * them first: the reader has moved past their commits, so throwing would lose them. The next
   * poll reads from the failed commit again, and fails again unless the error was transient.
   */
  private List<Change> readAvailable() {
    List<Change> changes = new ArrayList<>();
    int skipped = 0;
    WalRecord record;
    while (changes.size() < TARGET_CHANGES && skipped < MAX_SKIPPED_COMMITS) {
      try {
        record = reader.next();
      } catch (StoreException e) {
        if (changes.isEmpty()) {
          throw e;
        }
        break;
      }
      if (record == null) {
        break;
      }
      for (int i = 0; i < record.size(); i++) {
        byte[] key = record.key(i);
        if (range.contains(key)) {
          byte[] value = record.value(i);
          changes.add(new Change(record.sequence(), value == null ? Change.Kind.DELETE : Change.Kind.PUT, key, value));
        }
      }
      position = record.sequence();
      skipped++;
    }
    return changes;
  }

  /** Waits up to {@code nanos} for {@code future}; false on time-out or interrupt (the interrupt stays set). */
  private static boolean await(CompletableFuture<Void> future, long nanos) {
    try {
      future.get(nanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      future.cancel(false);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public CompletableFuture<Void> onAvailable() {
    if (closed) {
      return CompletableFuture.failedFuture(new StoreClosedException("change cursor is closed"));
    }
    if (snapshot != null) {
      return CompletableFuture.completedFuture(null);
    }
    return history.awaitAfter(position);
  }

  @Override
  public long position() {
    return position;
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("change cursor is closed");
    }
    if (storeClosed.getAsBoolean()) {
      throw new StoreClosedException("store is closed");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (snapshot != null) {
        snapshot.close();
        snapshot = null;
      }
      if (reader != null) {
        reader.close();
      }
    }
  }
}
