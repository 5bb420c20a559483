package dev.cairn.store.internal.engine;

import dev.cairn.store.StoreClosedException;
import dev.cairn.store.StoreException;
import dev.cairn.store.StoreFailedException;
import dev.cairn.store.StoreIOException;
import dev.cairn.store.internal.util.ByteSink;
import dev.cairn.store.internal.wal.WalRecord;
import dev.cairn.store.internal.wal.WalWriter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit. Every commit joins one queue; the commit at its head becomes the leader, takes the
 * commits queued behind it as one group, writes them to the WAL in one {@code write} (and, under
 * {@code SYNC}, one fsync), applies them to the index, and wakes their callers. A caller of a
 * blocking write leads on its own thread, so a lone writer pays no thread hand-off; commits from
 * {@code writeAsync} are led by the store's writer thread, so async callers never wait for I/O
 * (they only take the queue lock for a moment).
 *
 * <h2>Ordering</h2>
 * Sequences are assigned by the leader in queue order, so the WAL, the index and the sequences
 * agree. A conditional commit (compare-and-set, update, delete) is checked against the index by
 * the leader just before it is sealed, and is always the first of its group, so that the check
 * sees every earlier commit applied.
 *
 * <h2>Failure</h2>
 * A failed WAL write or fsync latches the pipeline: the group and every later commit fail with
 * {@link StoreFailedException}, and nothing is retried.
 */
final class CommitPipeline {
  private static final int MAX_GROUP_COMMITS = 4096;
  private static final int MAX_GROUP_BYTES = 4 << 20;
  /**
   * How long the blocking committer next in line spins for the running group before it parks,
   * when groups are not fsynced: such a group takes a few microseconds, less than parking and
   * being woken costs the waiter and the leader that signals it (under a 90/10 get/put mix on two
   * threads, a put's wait for the other thread's group was a fifth of the threads' time).
   */
  private static final long SPIN_NANOS = 20_000;

  private final StoreEngine engine;
  private final boolean syncEachGroup;
  private final ReentrantLock lock = new ReentrantLock();
  /** Blocking committers wait here for their commit to be done or to reach the head. */
  private final Condition changed = lock.newCondition();
  /** The writer thread waits here for an async commit at the head. */
  private final Condition asyncAtHead = lock.newCondition();
  private final ArrayDeque<Commit> queue = new ArrayDeque<>(); // guarded by lock
  private boolean leaderActive; // guarded by lock
  /** Commits in the group being run; guarded by lock. */
  private int leadingGroupSize;
  /** Groups run so far; written under the lock, read by committers spinning without it. */
  private volatile long groupsFinished;
  private boolean closed; // guarded by lock
  private volatile Throwable failure;
  private final Thread asyncLeader;
  private final ByteSink groupBuffer = new ByteSink(64 * 1024); // used by the leader only
  private final List<WalRecord> written = new ArrayList<>(); // used by the leader only

  CommitPipeline(StoreEngine engine, boolean syncEachGroup) {
    this.engine = engine;
    this.syncEachGroup = syncEachGroup;
    this.asyncLeader = new Thread(this::runAsyncLeader, "cairn-writer-" + engine.directory().getFileName());
    this.asyncLeader.setDaemon(true);
    this.asyncLeader.start();
  }

  /** The failure that latched the pipeline, or null. */
  Throwable failure() {
    return failure;
  }

  /** Commits on the caller's thread; returns the sequence, or {@link Commit#REJECTED}. */
  long commit(Commit c) {
    lock.lock();
    try {
      enqueue(c);
      // Only the commit right behind the running group spins: it leads next. Others park, so that
      // many waiting threads do not take the processors the leader needs.
      long spinUntil = !syncEachGroup && leaderActive && queue.size() == leadingGroupSize + 1
          ? System.nanoTime() + SPIN_NANOS : 0;
      while (!c.done && (queue.peekFirst() != c || leaderActive)) {
        if (spinUntil == 0) {
          changed.awaitUninterruptibly();
          continue;
        }
        long seen = groupsFinished;
        lock.unlock();
        try {
          if (!spinWhileGroupRuns(seen, spinUntil)) {
            spinUntil = 0;
          }
        } finally {
          lock.lock();
        }
      }
      if (!c.done) {
        leadLocked();
      }
    } finally {
      lock.unlock();
    }
    if (c.error != null) {
      throw rethrow(c.error);
    }
    return c.result;
  }

  /** Queues a commit whose future the writer thread completes. */
  void commitAsync(Commit c) {
    lock.lock();
    try {
      enqueue(c);
      if (queue.peekFirst() == c && !leaderActive) {
        asyncAtHead.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  private void enqueue(Commit c) {
    if (closed) {
      throw new StoreClosedException("store " + engine.directory() + " is closed");
    }
    Throwable f = failure;
    if (f != null) {
      throw new StoreFailedException("store " + engine.directory() + " failed earlier and accepts no writes", f);
    }
    queue.addLast(c);
  }

  private void runAsyncLeader() {
    lock.lock();
    try {
      for (;;) {
        while (!closed && (queue.isEmpty() || leaderActive || !queue.peekFirst().isAsync())) {
          asyncAtHead.awaitUninterruptibly();
        }
        if (queue.isEmpty() && closed) {
          return;
        }
        if (!leaderActive && !queue.isEmpty() && queue.peekFirst().isAsync()) {
          leadLocked();
        } else {
          asyncAtHead.awaitUninterruptibly();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Runs one group with the lock held on entry and exit; the lock is dropped for the I/O. */
  private void leadLocked() {
    List<Commit> group = new ArrayList<>();
    long bytes = 0;
    boolean anyAsync = false;
    for (Commit c : queue) {
      if (!group.isEmpty() && (c.isConditional() || c.isBarrier() || group.size() >= MAX_GROUP_COMMITS
          || bytes + c.record.bytes().length > MAX_GROUP_BYTES)) {
        break;
      }
      group.add(c);
      anyAsync |= c.isAsync();
      if (c.isBarrier()) {
        break;
      }
      bytes += c.record.bytes().length;
    }
    leaderActive = true;
    leadingGroupSize = group.size();
    lock.unlock();
    try {
      runGroup(group);
    } finally {
      lock.lock();
      for (int i = 0; i < group.size(); i++) {
        queue.pollFirst();
      }
      leaderActive = false;
      groupsFinished++;
      wakeNext();
    }
    if (!anyAsync) {
      return; // no future to complete outside the lock
    }
    lock.unlock();
    try {
      for (Commit c : group) {
        if (c.isAsync()) {
          if (c.error != null) {
            c.future.completeExceptionally(c.error);
          } else {
            c.future.complete(c.result);
          }
        }
      }
    } finally {
      lock.lock();
    }
  }

  /**
   * Without the lock: spins until a group finishes after {@code seen} (true), or until {@code
   * spinUntil} (false, and the caller parks).
   */
  private boolean spinWhileGroupRuns(long seen, long spinUntil) {
    while (groupsFinished == seen) {
      if (System.nanoTime() - spinUntil > 0) {
        return false;
      }
      Thread.onSpinWait();
    }
    return true;
  }

  /** With the lock held after a group: wakes its waiting callers and whoever leads next. */
  private void wakeNext() {
    if (lock.hasWaiters(changed)) {
      changed.signalAll();
    }
    Commit head = queue.peekFirst();
    if ((head != null && head.isAsync()) || closed) {
      asyncAtHead.signal();
    }
  }

  private void runGroup(List<Commit> group) {
    written.clear();
    try {
      Throwable f = failure;
      if (f != null) {
        throw new StoreFailedException("store " + engine.directory() + " failed earlier and accepts no writes", f);
      }
      if (group.get(0).isBarrier()) {
        group.get(0).barrier.run();
        return;
      }
      long sequence = engine.index().visibleSequence();
      groupBuffer.reset();
      for (Commit c : group) {
        if (c.isConditional()
            && Commit.liveSequence(engine.index().head(c.conditionKey)) != c.expectedSequence) {
          c.result = Commit.REJECTED;
          continue;
        }
        c.record.seal(++sequence);
        c.result = sequence;
        written.add(c.record);
      }
      if (!written.isEmpty()) {
        WalWriter wal = engine.wal();
        try {
          if (written.size() == 1) {
            byte[] only = written.get(0).bytes();
            wal.append(only, 0, only.length); // a lone commit needs no copy into the group buffer
          } else {
            for (WalRecord r : written) {
              groupBuffer.put(r.bytes());
            }
            wal.append(groupBuffer.array(), 0, groupBuffer.size());
          }
          if (syncEachGroup) {
            wal.sync();
          }
        } catch (IOException e) {
          throw latch(new StoreIOException("WAL write to " + wal.path() + " failed", e));
        }
        engine.index().apply(written);
        engine.afterCommit(wal, sequence);
      }
      if (groupBuffer.array().length > 4 * MAX_GROUP_BYTES) {
        groupBuffer.reset();
      }
    } catch (Throwable t) {
      for (Commit c : group) {
        if (c.result != Commit.REJECTED) {
          c.error = t;
        }
      }
    } finally {
      written.clear(); // let the records go
      for (Commit c : group) {
        c.done = true;
      }
    }
  }

  /** Latches the pipeline after an I/O failure; returns the exception to throw now. */
  StoreException latch(StoreException cause) {
    if (failure == null) {
      failure = cause;
    }
    return new StoreFailedException(cause.getMessage(), cause);
  }

  /** Refuses new commits, lets queued ones finish, and stops the writer thread. */
  void close() {
    lock.lock();
    try {
      closed = true;
      asyncAtHead.signal();
      while (!queue.isEmpty() || leaderActive) {
        changed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
    boolean interrupted = false;
    while (asyncLeader.isAlive()) {
      try {
        asyncLeader.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException) {
      return (RuntimeException) t;
    }
    if (t instanceof Error) {
      throw (Error) t;
    }
    return new StoreException("commit failed", t);
  }
}
