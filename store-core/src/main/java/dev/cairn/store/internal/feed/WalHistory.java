package dev.cairn.store.internal.feed;

import dev.cairn.store.StoreClosedException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The change history: the WAL files on disk, each with the first sequence it can hold, and the
 * published end of the newest one. Change cursors read commits straight from these files, so a
 * slow consumer costs no memory; retention decides how long flushed WAL files stay.
 *
 * <p>Thread-safe. The group-commit leader calls {@link #publish} after each group and {@link
 * #added} at rotation; maintenance calls {@link #removed}; cursors read the rest. Waiters of
 * {@link #awaitAfter} are completed on a notifier thread of the history's own, never on a writer.
 */
public final class WalHistory implements AutoCloseable {
  /** The newest WAL's number, the file offset up to which it holds published commits, and the last one. */
  public record Published(long walNumber, long endOffset, long lastSequence) {}

  /** A WAL file of the history. */
  public record WalFile(long number, Path path, long startSequence) {}

  private final ConcurrentSkipListMap<Long, WalFile> files = new ConcurrentSkipListMap<>();
  private final Map<Long, Seal> seals = new java.util.concurrent.ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final ExecutorService notifier;
  private volatile Published published;
  private volatile boolean closed;

  private record Waiter(long afterSequence, CompletableFuture<Void> future) {}

  /** When a WAL was sealed, and the file offset its records end at. */
  private record Seal(long atMillis, long endOffset) {}

  public WalHistory(String name, Published initial) {
    this.published = initial;
    this.notifier = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "cairn-changes-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  /** Records a WAL file and the first sequence it may hold. */
  public void added(long number, Path path, long startSequence) {
    files.put(number, new WalFile(number, path, startSequence));
  }

  /** Forgets a WAL file that retention deleted. */
  public void removed(long number) {
    files.remove(number);
    seals.remove(number);
  }

  /**
   * Records that WAL {@code number} will get no more commits, now, and that its records end at
   * {@code endOffset}. The file may run on past them: a rotation leaves the zeros preallocated
   * beyond the last record for the next sync to cut off, off the writer's path.
   */
  public void sealed(long number, long endOffset) {
    seals.put(number, new Seal(System.currentTimeMillis(), endOffset));
  }

  /** When WAL {@code number} was sealed, or null if it was not. */
  public Long sealedAtMillis(long number) {
    Seal seal = seals.get(number);
    return seal == null ? null : seal.atMillis();
  }

  /** The file offset the records of sealed WAL {@code number} end at, or -1 if it was not sealed. */
  public long sealedEnd(long number) {
    Seal seal = seals.get(number);
    return seal == null ? -1 : seal.endOffset();
  }

  public Published published() {
    return published;
  }

  /** Publishes commits up to {@code lastSequence}, which end at {@code endOffset} of WAL {@code walNumber}. */
  public void publish(long walNumber, long endOffset, long lastSequence) {
    published = new Published(walNumber, endOffset, lastSequence);
    if (!waiters.isEmpty()) {
      notifier.execute(this::wakeWaiters);
    }
  }

  private void wakeWaiters() {
    long last = published.lastSequence();
    for (Waiter w : waiters) {
      if (closed) {
        w.future().completeExceptionally(new StoreClosedException("store is closed"));
        waiters.remove(w);
      } else if (w.afterSequence() < last || w.future().isDone()) {
        waiters.remove(w);
        w.future().complete(null);
      }
    }
  }

  /** A future completed once a commit after {@code sequence} is published (at once if one is). */
  public CompletableFuture<Void> awaitAfter(long sequence) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    if (closed) {
      future.completeExceptionally(new StoreClosedException("store is closed"));
      return future;
    }
    if (published.lastSequence() > sequence) {
      future.complete(null);
      return future;
    }
    Waiter waiter = new Waiter(sequence, future);
    waiters.add(waiter);
    future.whenComplete((v, t) -> {
      if (future.isCancelled()) {
        waiters.remove(waiter);
      }
    });
    if (published.lastSequence() > sequence || closed) {
      try {
        notifier.execute(this::wakeWaiters); // published or closed meanwhile
      } catch (java.util.concurrent.RejectedExecutionException e) {
        wakeWaiters();
      }
    }
    return future;
  }

  /** The history file that holds the commit after {@code sequence}, or null if none is retained. */
  public WalFile fileFor(long sequence) {
    WalFile found = null;
    for (WalFile f : files.values()) {
      if (f.startSequence() <= sequence + 1) {
        found = f;
      } else {
        break;
      }
    }
    return found;
  }

  /** The WAL file after {@code number}, or null. */
  public WalFile next(long number) {
    Map.Entry<Long, WalFile> e = files.higherEntry(number);
    return e == null ? null : e.getValue();
  }

  /** Whether WAL {@code number} is still part of the history (retention has not removed it). */
  boolean holds(long number) {
    return files.containsKey(number);
  }

  /** The oldest sequence the retained history holds (the last sequence + 1 when it holds none). */
  public long oldestAvailable() {
    Map.Entry<Long, WalFile> first = files.firstEntry();
    return first == null ? published.lastSequence() + 1 : first.getValue().startSequence();
  }

  /** The files of the history, oldest first. */
  public Iterable<WalFile> files() {
    return files.values();
  }

  /** Fails every waiter with {@link StoreClosedException} and stops the notifier thread. */
  @Override
  public void close() {
    closed = true;
    notifier.execute(this::wakeWaiters);
    notifier.shutdown();
  }
}
