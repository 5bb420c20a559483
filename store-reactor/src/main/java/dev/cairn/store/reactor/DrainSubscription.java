package dev.cairn.store.reactor;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * A demand-driven subscription whose producer is a store cursor: every touch of the cursor
 * (opening, reading, closing) happens in a drain pass on the blocking-capable scheduler, and the
 * subscriber's {@code request} and {@code cancel}, which may come from any thread (a Netty event
 * loop, a {@code parallel} worker), only record what they want and schedule a pass.
 *
 * <h2>Serialization</h2>
 * {@code wip} counts the reasons to drain. The caller that raises it from zero schedules one pass;
 * a pass keeps running while reasons arrive. So at most one pass runs at a time, each pass sees
 * everything the previous one did (the atomic counter orders them), and the cursor, which is not
 * thread-safe, is used by one thread at a time. {@code wip} starts at 1 so that nothing drains
 * before {@code onSubscribe} has returned; {@link #start} then schedules the first pass, which
 * opens the cursor: the point in time of a scan, or the start of a change feed, is the
 * subscription.
 *
 * <h2>Cancellation</h2>
 * {@link #cancel} sets a flag and schedules a pass, which calls {@link #release} on the scheduler.
 * No thread is ever interrupted, and a pass inside a cursor read finishes that read first.
 *
 * @param <T> the element type
 */
abstract class DrainSubscription<T> implements Subscription, Runnable {
  @SuppressWarnings("rawtypes")
  private static final AtomicLongFieldUpdater<DrainSubscription> REQUESTED =
      AtomicLongFieldUpdater.newUpdater(DrainSubscription.class, "requested");
  @SuppressWarnings("rawtypes")
  private static final AtomicIntegerFieldUpdater<DrainSubscription> WIP =
      AtomicIntegerFieldUpdater.newUpdater(DrainSubscription.class, "wip");

  final Subscriber<? super T> actual;
  private final Scheduler scheduler;
  private volatile long requested;
  private volatile int wip = 1;
  private volatile boolean cancelled;
  private volatile IllegalArgumentException badRequest;
  /** Set once the subscriber got its terminal signal or cancelled; owned by the drain pass. */
  private boolean terminated;

  DrainSubscription(Subscriber<? super T> actual, Scheduler scheduler) {
    this.actual = actual;
    this.scheduler = scheduler;
  }

  /** Hands this subscription to the subscriber, then schedules the first pass. */
  final void start() {
    actual.onSubscribe(this);
    schedulePass();
  }

  /**
   * Emits what the current demand allows, on the drain thread. Implementations call {@link
   * #requested()}, {@link #produced(long)}, {@link #complete()} and {@link #fail(Throwable)}, and
   * return early once {@link #isCancelled()}.
   */
  abstract void drain();

  /** Closes whatever {@link #drain} opened; runs once, on the drain thread. */
  abstract void release();

  @Override
  public final void request(long n) {
    if (n <= 0) {
      badRequest = new IllegalArgumentException(
          "Reactive Streams rule 3.9: request amount must be positive, got " + n);
    } else {
      Operators.addCap(REQUESTED, this, n);
    }
    wakeUp();
  }

  @Override
  public final void cancel() {
    cancelled = true;
    wakeUp();
  }

  /** Asks for a drain pass; callable from any thread, for example a store thread completing a future. */
  final void wakeUp() {
    if (WIP.getAndIncrement(this) == 0) {
      schedulePass();
    }
  }

  private void schedulePass() {
    try {
      scheduler.schedule(this);
    } catch (RejectedExecutionException e) {
      // No pass runs and wip stays raised for good, so this thread owns the subscription.
      if (!terminated) {
        if (cancelled) {
          releaseAfterCancel();
        } else {
          fail(e);
        }
      }
    }
  }

  @Override
  public final void run() {
    int missed = 1;
    for (;;) {
      if (!terminated) {
        if (cancelled) {
          releaseAfterCancel();
        } else if (badRequest != null) {
          fail(badRequest);
        } else {
          try {
            drain();
          } catch (Throwable t) {
            Exceptions.throwIfJvmFatal(t);
            if (!terminated) {
              fail(t);
            } else {
              dropped(t); // thrown by the subscriber's own onComplete or onError
            }
          }
        }
      }
      missed = WIP.addAndGet(this, -missed);
      if (missed == 0) {
        return;
      }
    }
  }

  final long requested() {
    return requested;
  }

  /** Records that {@code count} elements were emitted against the demand. */
  final void produced(long count) {
    if (count != 0) {
      Operators.produced(REQUESTED, this, count);
    }
  }

  final boolean isCancelled() {
    return cancelled;
  }

  private void releaseAfterCancel() {
    terminated = true;
    Throwable failure = releaseQuietly(null);
    if (failure != null) {
      dropped(failure); // the subscriber is gone
    }
  }

  /** Reports an error no subscriber can receive to Reactor's dropped-error hook. */
  private void dropped(Throwable error) {
    Context context = actual instanceof CoreSubscriber
        ? ((CoreSubscriber<?>) actual).currentContext()
        : Context.empty();
    Operators.onErrorDropped(error, context);
  }

  final void complete() {
    terminated = true;
    Throwable failure = releaseQuietly(null);
    if (failure != null) {
      actual.onError(failure);
    } else {
      actual.onComplete();
    }
  }

  final void fail(Throwable error) {
    terminated = true;
    actual.onError(releaseQuietly(error));
  }

  /** Releases; returns {@code error} with a release failure added, or the release failure alone. */
  private Throwable releaseQuietly(Throwable error) {
    try {
      release();
      return error;
    } catch (Throwable t) {
      Exceptions.throwIfJvmFatal(t);
      if (error == null) {
        return t;
      }
      error.addSuppressed(t);
      return error;
    }
  }
}
