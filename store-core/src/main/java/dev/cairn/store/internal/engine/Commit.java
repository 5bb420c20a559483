package dev.cairn.store.internal.engine;

import dev.cairn.store.internal.index.Version;
import dev.cairn.store.internal.wal.WalRecord;
import java.util.concurrent.CompletableFuture;

/**
 * One commit waiting in the {@link CommitPipeline}: an encoded WAL record, an optional
 * precondition on one key, and how its caller waits. Fields after construction are written by the
 * leader and read by the caller after {@code done} is set under the pipeline lock.
 */
final class Commit {
  /** Result of a commit whose precondition did not hold: nothing was written. */
  static final long REJECTED = -1;

  final WalRecord record;
  /** Key whose head must still have {@link #expectedSequence}, or null for an unconditional commit. */
  final byte[] conditionKey;
  /** Sequence of the live head of {@link #conditionKey} the caller read; 0 means "no live value". */
  final long expectedSequence;
  /** Non-null for {@code writeAsync}: completed by the leader instead of waking a waiting caller. */
  final CompletableFuture<Long> future;

  /** Non-null for a barrier: run by the leader alone, with no commit in flight, instead of writing. */
  final Runnable barrier;

  boolean done;
  long result;
  Throwable error;

  Commit(WalRecord record, byte[] conditionKey, long expectedSequence, CompletableFuture<Long> future) {
    this.record = record;
    this.conditionKey = conditionKey;
    this.expectedSequence = expectedSequence;
    this.future = future;
    this.barrier = null;
  }

  private Commit(Runnable barrier, CompletableFuture<Long> future) {
    this.record = null;
    this.conditionKey = null;
    this.expectedSequence = 0;
    this.future = future;
    this.barrier = barrier;
  }

  /** A commit that runs {@code action} between groups, for WAL rotation on demand. */
  static Commit barrier(Runnable action) {
    return new Commit(action, null);
  }

  /** A {@link #barrier} that the writer thread runs, completing {@code future}, while its caller goes on. */
  static Commit asyncBarrier(Runnable action, CompletableFuture<Long> future) {
    return new Commit(action, future);
  }

  boolean isConditional() {
    return conditionKey != null;
  }

  boolean isBarrier() {
    return barrier != null;
  }

  boolean isAsync() {
    return future != null;
  }

  /** The value the precondition compares: the live head's sequence, or 0 if none. */
  static long liveSequence(Version head) {
    return head == null || head.isTombstone() ? 0 : head.sequence;
  }
}
