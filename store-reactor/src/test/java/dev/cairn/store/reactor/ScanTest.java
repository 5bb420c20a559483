package dev.cairn.store.reactor;

import static dev.cairn.store.reactor.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.StoreClosedException;
import dev.cairn.store.WriteBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** {@link ReactiveStore#scan}: order, point in time, demand-driven reads, and cursors closed on every ending. */
class ScanTest {
  private static final int KEYS = 2_000;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private Store store;
  private CountingStore counting;
  private ReactiveStore reactive;

  @BeforeEach
  void open() {
    store = Store.open(dir);
    WriteBatch batch = WriteBatch.create();
    for (int i = 0; i < KEYS; i++) {
      batch.put(key(i), "value-" + i);
    }
    store.write(batch);
    counting = new CountingStore(store);
    reactive = ReactiveStore.wrap(counting);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static String key(int i) {
    return String.format("key-%05d", i);
  }

  @Test
  void scanEmitsTheRangeInKeyOrderAndCompletes() {
    List<String> keys = reactive.scan(KeyRange.between("key-00010", "key-00015")).map(Entry::keyString)
        .collectList().block(TIMEOUT);
    assertEquals(List.of(key(10), key(11), key(12), key(13), key(14)), keys);
    assertEquals(1, counting.scansClosed.get(), "completion must close the cursor");
  }

  @Test
  void scanOfAnEmptyRangeCompletesWithoutEntries() {
    StepVerifier.create(reactive.scan(KeyRange.prefix("nothing-"))).expectComplete().verify(TIMEOUT);
    assertEquals(1, counting.scansClosed.get());
  }

  @Test
  void takeTenReadsAboutTenEntriesNotTheWholeRange() {
    List<Entry> first = reactive.scan(KeyRange.all()).take(10).collectList().block(TIMEOUT);
    assertEquals(10, first.size());
    assertEquals(key(0), first.get(0).keyString());
    long read = counting.entriesRead.get();
    System.out.println("scan(all()).take(10) over " + KEYS + " keys read " + read + " entries");
    assertTrue(read >= 10 && read <= 11, "take(10) read " + read + " entries");
    awaitScansClosed(1); // take(10) cancels, and cancellation must close the cursor
  }

  @Test
  void entriesAreReadOnlyAsTheSubscriberRequestsThem() {
    StepVerifier.create(reactive.scan(KeyRange.all()), 0)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(100))
        .then(() -> assertEquals(0, counting.entriesRead.get(), "nothing may be read before a request"))
        .thenRequest(1)
        .expectNextMatches(e -> e.keyString().equals(key(0)))
        .expectNoEvent(Duration.ofMillis(100))
        .then(() -> assertTrue(counting.entriesRead.get() <= 2, "request(1) read " + counting.entriesRead.get()))
        .thenRequest(5)
        .expectNextCount(5)
        .expectNoEvent(Duration.ofMillis(100))
        .then(() -> assertTrue(counting.entriesRead.get() <= 7, "request(1 + 5) read " + counting.entriesRead.get()))
        .thenCancel()
        .verify(TIMEOUT);
    awaitScansClosed(1);
  }

  @Test
  void aScanIsAPointInTimeViewTakenAtSubscription() {
    StepVerifier.create(reactive.scan(KeyRange.prefix("key-")), 0)
        .thenRequest(1)
        .expectNextCount(1)
        .then(() -> {
          store.put(key(KEYS), "written after the scan started");
          store.delete(key(KEYS - 1));
        })
        .thenRequest(Long.MAX_VALUE)
        .expectNextCount(KEYS - 1)
        .verifyComplete();
  }

  @Test
  void cancellingAScanClosesItsCursorAndTheStoreThenClosesCleanly() {
    StepVerifier.create(reactive.scan(KeyRange.all()), 3)
        .expectNextCount(3)
        .thenCancel()
        .verify(TIMEOUT);
    awaitScansClosed(1);
    assertEquals(counting.scansOpened.get(), counting.scansClosed.get());
    store.put("after", "cancel");
    store.close();
  }

  @Test
  void aSlowSubscriberPacesTheReadsOfManyConcurrentScans() {
    List<Long> counts = Flux.range(0, 8)
        .flatMap(i -> reactive.scan(KeyRange.all()).limitRate(16).take(100).count())
        .collectList().block(TIMEOUT);
    assertEquals(List.of(100L, 100L, 100L, 100L, 100L, 100L, 100L, 100L), counts);
    assertTrue(counting.entriesRead.get() <= 8 * 116, "8 scans taking 100 entries read " + counting.entriesRead.get());
    awaitScansClosed(8);
  }

  @Test
  void closingTheStoreEndsARunningScanWithStoreClosedException() {
    StepVerifier.create(reactive.scan(KeyRange.all()), 1)
        .expectNextCount(1)
        .then(store::close)
        .thenRequest(1)
        .expectError(StoreClosedException.class)
        .verify(TIMEOUT);
  }

  @Test
  void aNonPositiveRequestFailsTheScanAsReactiveStreamsRequires() throws Exception {
    CompletableFuture<Throwable> error = new CompletableFuture<>();
    reactive.scan(KeyRange.all()).subscribe(new CoreSubscriber<Entry>() { // not wrapped by Reactor's own checks
      @Override
      public void onSubscribe(Subscription s) {
        s.request(0);
      }

      @Override
      public void onNext(Entry entry) {
        error.completeExceptionally(new AssertionError("onNext after request(0): " + entry));
      }

      @Override
      public void onError(Throwable t) {
        error.complete(t);
      }

      @Override
      public void onComplete() {
        error.completeExceptionally(new AssertionError("onComplete after request(0)"));
      }
    });
    Throwable e = error.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertTrue(e instanceof IllegalArgumentException && e.getMessage().contains("3.9"), "got " + e);
    assertEquals(counting.scansOpened.get(), counting.scansClosed.get(), "a cursor was left open");
  }

  @Test
  void entriesCarryTheirValueAndTheSequenceThatWroteIt() {
    long sequence = store.put(utf8("key-00003"), utf8("rewritten"));
    StepVerifier.create(reactive.scan(KeyRange.between("key-00003", "key-00004")))
        .expectNextMatches(e -> e.valueString().equals("rewritten") && e.sequence() == sequence)
        .verifyComplete();
  }

  private void awaitScansClosed(int count) {
    Waits.until(() -> counting.scansClosed.get() >= count, TIMEOUT, count + " scan cursors closed");
    assertEquals(count, counting.scansClosed.get(), "scan cursors closed");
  }
}
