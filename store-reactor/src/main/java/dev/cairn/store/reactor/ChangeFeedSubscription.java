package dev.cairn.store.reactor;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Store;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.reactivestreams.Subscriber;
import reactor.core.scheduler.Scheduler;

/**
 * {@link ReactiveStore#changes}: a {@link ChangeCursor} opened when the subscription starts and
 * polled only while the subscriber has demand.
 *
 * <p>A poll returns whole commits, up to about a thousand changes, so it may return more than was
 * requested: the rest waits in {@code polled}, which is never refilled before it is empty. That
 * queue is the only buffer, bounded by one poll. When a poll finds nothing, the pass registers a
 * callback on {@link ChangeCursor#onAvailable()} and ends; no thread waits. The callback, run on a
 * store thread, only schedules the next pass.
 */
final class ChangeFeedSubscription extends DrainSubscription<Change> {
  private final Store store;
  private final ChangeQuery query;
  private final ArrayDeque<Change> polled = new ArrayDeque<>(); // drain thread only
  private ChangeCursor cursor; // drain thread only
  private CompletableFuture<Void> available; // drain thread only: the pending onAvailable(), or null

  ChangeFeedSubscription(Subscriber<? super Change> actual, Scheduler scheduler, Store store, ChangeQuery query) {
    super(actual, scheduler);
    this.store = store;
    this.query = query;
  }

  @Override
  void drain() {
    if (cursor == null) {
      cursor = store.changes(query);
    }
    long demand = requested();
    long emitted = 0;
    while (emitted != demand && !isCancelled()) {
      Change next = polled.poll();
      if (next != null) {
        actual.onNext(next);
        emitted++;
        continue;
      }
      if (available != null) {
        if (!available.isDone()) {
          break; // still waiting: its callback schedules the next pass
        }
        Throwable failure = failureOf(available);
        available = null;
        if (failure != null) {
          fail(failure); // the store closed
          return;
        }
      }
      List<Change> batch = cursor.poll(Duration.ZERO);
      if (batch.isEmpty()) {
        CompletableFuture<Void> future = cursor.onAvailable();
        available = future;
        future.whenComplete((ignored, error) -> wakeUp());
        break;
      }
      polled.addAll(batch);
    }
    produced(emitted);
  }

  private static Throwable failureOf(CompletableFuture<Void> done) {
    try {
      done.join();
      return null;
    } catch (CompletionException e) {
      return Offload.unwrap(e);
    } catch (CancellationException e) {
      return e;
    }
  }

  @Override
  void release() {
    polled.clear();
    if (available != null) {
      available.cancel(false); // drops this subscription from the future; the store's waiter list discards it
      available = null;
    }
    if (cursor != null) {
      cursor.close();
    }
  }
}
