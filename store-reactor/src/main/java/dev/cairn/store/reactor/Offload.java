package dev.cairn.store.reactor;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * Turns store calls into cold {@link Mono}s that run on a blocking-capable {@link Scheduler} and
 * signal from it.
 *
 * <p><b>Why not {@code Mono.fromCallable(call).subscribeOn(scheduler)}.</b> When such a Mono is
 * cancelled while the call runs, Reactor 3.8 disposes the scheduled task with {@code
 * Future.cancel(true)}, which interrupts the worker thread (checked on reactor-core 3.8.8, and
 * pinned by {@code CancellationTest}). An interrupt inside {@code FileChannel} I/O closes the
 * channel for every thread that shares it. So the tasks scheduled here are never disposed: a
 * cancelled Mono only sets a flag, a task that has not started yet then does nothing, and a task
 * already inside the store runs to its end and its result is dropped.
 */
final class Offload {
  private Offload() {}

  /** A Mono of {@code call}'s result (empty when it returns null), run and signalled on {@code scheduler}. */
  static <T> Mono<T> call(Scheduler scheduler, Callable<? extends T> call) {
    return Mono.create(sink -> {
      AtomicBoolean cancelled = new AtomicBoolean();
      sink.onCancel(() -> cancelled.set(true));
      execute(scheduler, sink, () -> {
        if (cancelled.get()) {
          return;
        }
        T value;
        try {
          value = call.call();
        } catch (Throwable t) {
          Exceptions.throwIfJvmFatal(t);
          sink.error(t);
          return;
        }
        sink.success(value);
      });
    });
  }

  /**
   * A Mono of the future that {@code start} returns: {@code start} runs on {@code scheduler}, and
   * the future's outcome is signalled on {@code scheduler} too, never on the thread that completes
   * the future (for store writes, the store's group-commit writer, which must not run subscribers'
   * code). Cancellation never cancels the future: a write that was handed to the store may still
   * commit.
   */
  static <T> Mono<T> future(Scheduler scheduler, Supplier<? extends CompletableFuture<? extends T>> start) {
    return Mono.create(sink -> {
      AtomicBoolean cancelled = new AtomicBoolean();
      sink.onCancel(() -> cancelled.set(true));
      execute(scheduler, sink, () -> {
        if (cancelled.get()) {
          return;
        }
        CompletableFuture<? extends T> future;
        try {
          future = start.get();
        } catch (Throwable t) {
          Exceptions.throwIfJvmFatal(t);
          sink.error(t);
          return;
        }
        future.whenComplete((value, error) -> execute(scheduler, sink, () -> {
          if (error != null) {
            sink.error(unwrap(error));
          } else {
            sink.success(value);
          }
        }));
      });
    });
  }

  private static void execute(Scheduler scheduler, MonoSink<?> sink, Runnable task) {
    try {
      scheduler.schedule(task);
    } catch (RejectedExecutionException e) {
      sink.error(e);
    }
  }

  /** The store's own exception behind a {@link CompletionException}. */
  static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
