package dev.cairn.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A reader of the change feed: every commit after a starting point, in commit order, each exactly
 * once, reading the retained history on disk at its own pace (a slow consumer costs the store no
 * memory).
 *
 * <p>Lifetime: open with {@link Store#changes(ChangeQuery)}, close when done (it holds an open
 * file). Closing the store ends the cursor: {@link #poll} then throws {@link StoreClosedException},
 * and a pending {@link #onAvailable()} future completes exceptionally with it.
 *
 * <p>Thread-safety: one consumer at a time. {@link #onAvailable()} may be called from any thread.
 */
public interface ChangeCursor extends AutoCloseable {
  /**
   * The next changes in commit order, waiting up to {@code timeout} for the first; empty on
   * time-out. Never splits a commit: all changes of a batch come in one call. Throws {@link
   * ChangeHistoryLostException} if the history this cursor needs was deleted by retention, and
   * {@link CorruptionException} if it is damaged.
   */
  List<Change> poll(Duration timeout);

  /**
   * A future that completes when {@link #poll} may return something without waiting: a commit
   * happened since this cursor's position. It may complete when a poll then returns nothing (the
   * commit was filtered out); call it again after each poll. Completes on a store thread.
   */
  CompletableFuture<Void> onAvailable();

  /**
   * The sequence to resume after ({@link ChangeQuery#after(long)}): the last commit this cursor
   * has read, including commits whose changes were all filtered out. During the snapshot phase of
   * a {@link ChangeQuery#snapshotThenTail()} cursor it is -1: a consumer that stops before the
   * snapshot is complete must start over.
   */
  long position();

  /** Releases the cursor's file. Idempotent. */
  @Override
  void close();
}
