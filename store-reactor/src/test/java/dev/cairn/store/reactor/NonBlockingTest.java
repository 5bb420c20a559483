package dev.cairn.store.reactor;

import static dev.cairn.store.reactor.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Codec;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.WriteBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * BlockHound (installed for the whole suite by {@code blockhound-junit-platform}) fails any blocking
 * call on a Reactor non-blocking thread. Here every operation is subscribed, requested and
 * cancelled from {@code parallel()} threads, which are non-blocking: each passes only if nothing
 * in the reactive layer or the store blocks on them. Errors thrown on a worker, which a stream
 * could swallow, are collected from Reactor's hooks and must stay empty.
 */
class NonBlockingTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private Store store;
  private ReactiveStore reactive;
  private final Scheduler nonBlocking = Schedulers.parallel();
  private final List<Throwable> hiddenErrors = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() {
    store = Store.open(dir);
    reactive = ReactiveStore.wrap(store);
    Schedulers.onHandleError("non-blocking-test", (thread, error) -> hiddenErrors.add(error));
    Hooks.onErrorDropped(hiddenErrors::add);
  }

  @AfterEach
  void close() {
    Schedulers.resetOnHandleError("non-blocking-test");
    Hooks.resetOnErrorDropped();
    store.close();
    assertEquals(List.of(), hiddenErrors, "errors raised on worker threads");
  }

  @Test
  void blockHoundIsInstalledAndRejectsASleepOnAParallelThread() {
    StepVerifier.create(Mono.fromCallable(() -> {
      Thread.sleep(1);
      return "slept";
    }).subscribeOn(nonBlocking))
        .verifyErrorMatches(e -> e instanceof BlockingOperationError && e.getMessage().contains("Thread.sleep"));
  }

  /**
   * The blocking API where it must not be: {@code compact()} waits for the maintenance thread.
   * (BlockHound knows neither a write into a memory map, which is how a put appends to the WAL
   * under periodic durability, nor {@code msync} and {@code fsync}; so a small put or a {@code
   * flush()} can pass it unseen. Both are blocking calls all the same.)
   */
  @Test
  void blockHoundRejectsTheBlockingStoreApiOnAParallelThread() {
    store.put("k", "v");
    StepVerifier.create(Mono.fromRunnable(store::compact).subscribeOn(nonBlocking))
        .verifyError(BlockingOperationError.class);
  }

  @Test
  void pointOperationsSubscribedFromParallelThreadsNeverBlockThem() {
    StepVerifier.create(reactive.put(utf8("k"), utf8("v1")).subscribeOn(nonBlocking).publishOn(nonBlocking))
        .expectNext(1L).verifyComplete();
    StepVerifier.create(reactive.get(utf8("k")).map(TestBytes::text).subscribeOn(nonBlocking).publishOn(nonBlocking))
        .expectNext("v1").verifyComplete();
    StepVerifier.create(reactive.compareAndSet(utf8("k"), utf8("v1"), utf8("v2")).subscribeOn(nonBlocking))
        .expectNext(true).verifyComplete();
    StepVerifier.create(reactive.update(utf8("k"), v -> utf8("v3")).map(TestBytes::text).subscribeOn(nonBlocking))
        .expectNext("v3").verifyComplete();
    StepVerifier.create(reactive.write(WriteBatch.create().put("a", "1").put("b", "2")).subscribeOn(nonBlocking))
        .expectNext(4L).verifyComplete();
    StepVerifier.create(reactive.delete(utf8("k")).subscribeOn(nonBlocking))
        .expectNext(true).verifyComplete();
    StepVerifier.create(reactive.typed(Codec.utf8(), Codec.utf8()).get("a").subscribeOn(nonBlocking))
        .expectNext("1").verifyComplete();
  }

  @Test
  void aScanRequestedOneByOneAndCancelledFromParallelThreadsNeverBlocksThem() {
    WriteBatch batch = WriteBatch.create();
    for (int i = 0; i < 500; i++) {
      batch.put(String.format("key-%03d", i), "v" + i);
    }
    store.write(batch);
    StepVerifier.create(reactive.scan(KeyRange.all())
            .subscribeOn(nonBlocking)
            .publishOn(nonBlocking, 1) // requests one entry at a time, from a parallel thread
            .take(300)                 // and cancels from one
            .count())
        .expectNext(300L)
        .verifyComplete();
  }

  @Test
  void aChangeFeedThatWaitsForCommitsNeverBlocksTheThreadsThatRequestAndCancelIt() {
    StepVerifier.create(reactive.changes(ChangeQuery.fromNow())
            .subscribeOn(nonBlocking)
            .publishOn(nonBlocking, 2)
            .take(5))
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(100))
        .then(() -> {
          for (int i = 0; i < 5; i++) {
            store.put("k" + i, "v" + i);
          }
        })
        .expectNextCount(5)
        .verifyComplete();
  }

  @Test
  void aWatchFollowedFromParallelThreadsNeverBlocksThem() {
    StepVerifier.create(reactive.watch(utf8("w")).map(TestBytes::text).subscribeOn(nonBlocking).publishOn(nonBlocking))
        .expectNext("<absent>")
        .then(() -> store.put("w", "1"))
        .expectNext("1")
        .thenCancel()
        .verify(TIMEOUT);
    assertTrue(hiddenErrors.isEmpty(), "errors on worker threads: " + hiddenErrors);
  }
}
