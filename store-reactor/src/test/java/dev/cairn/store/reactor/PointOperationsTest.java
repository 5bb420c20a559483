package dev.cairn.store.reactor;

import static dev.cairn.store.reactor.TestBytes.text;
import static dev.cairn.store.reactor.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Codec;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.StoreClosedException;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.WriteBatch;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The point operations of {@link ReactiveStore} and its typed view: values, emptiness, coldness, misuse. */
class PointOperationsTest {
  @TempDir Path dir;
  private Store store;
  private ReactiveStore reactive;

  @BeforeEach
  void open() {
    store = Store.open(dir);
    reactive = ReactiveStore.wrap(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void getOfAnAbsentKeyCompletesEmptyWithoutAValue() {
    StepVerifier.create(reactive.get(utf8("missing"))).verifyComplete();
  }

  @Test
  void getOfAPresentKeyEmitsItsValue() {
    store.put("k", "v");
    StepVerifier.create(reactive.get(utf8("k")).map(TestBytes::text)).expectNext("v").verifyComplete();
  }

  @Test
  void putEmitsTheCommitSequenceAndTheValueIsThenReadable() {
    long before = store.lastSequence();
    StepVerifier.create(reactive.put(utf8("k"), utf8("v"))).expectNext(before + 1).verifyComplete();
    assertEquals("v", store.get("k"));
  }

  @Test
  void nothingIsWrittenBeforeSubscriptionAndEachSubscriptionWritesAgain() {
    Mono<Long> put = reactive.put(utf8("k"), utf8("v"));
    Mono<Boolean> delete = reactive.delete(utf8("k"));
    assertNull(store.get("k"), "assembling a put must not write");
    assertEquals(0, store.lastSequence());
    StepVerifier.create(put).expectNext(1L).verifyComplete();
    StepVerifier.create(put).expectNext(2L).verifyComplete();
    StepVerifier.create(delete).expectNext(true).verifyComplete();
    StepVerifier.create(delete).expectNext(false).verifyComplete();
  }

  @Test
  void theCallersArraysMayBeReusedAsSoonAsTheMethodReturns() {
    byte[] key = utf8("k1");
    byte[] value = utf8("v1");
    Mono<Long> put = reactive.put(key, value);
    key[1] = '2';
    value[1] = '2';
    put.block();
    assertEquals("v1", store.get("k1"));
    assertNull(store.get("k2"));
  }

  @Test
  void deleteEmitsTrueForALiveKeyAndFalseForAnAbsentOne() {
    store.put("k", "v");
    StepVerifier.create(reactive.delete(utf8("k"))).expectNext(true).verifyComplete();
    assertNull(store.get("k"));
    StepVerifier.create(reactive.delete(utf8("k"))).expectNext(false).verifyComplete();
  }

  @Test
  void compareAndSetWritesOnlyWhenTheExpectedValueMatches() {
    StepVerifier.create(reactive.compareAndSet(utf8("k"), null, utf8("a"))).expectNext(true).verifyComplete();
    StepVerifier.create(reactive.compareAndSet(utf8("k"), null, utf8("b"))).expectNext(false).verifyComplete();
    StepVerifier.create(reactive.compareAndSet(utf8("k"), utf8("x"), utf8("b"))).expectNext(false).verifyComplete();
    assertEquals("a", store.get("k"));
    StepVerifier.create(reactive.compareAndSet(utf8("k"), utf8("a"), utf8("b"))).expectNext(true).verifyComplete();
    assertEquals("b", store.get("k"));
    StepVerifier.create(reactive.compareAndSet(utf8("k"), utf8("b"), null)).expectNext(true).verifyComplete();
    assertNull(store.get("k"), "a null new value deletes");
  }

  @Test
  void updateEmitsTheNewValueAndCompletesEmptyWhenTheKeyEndsAbsent() {
    Codec<Long> int64 = Codec.int64();
    for (long expected = 1; expected <= 3; expected++) {
      StepVerifier.create(reactive.update(utf8("n"), v -> int64.encode(v == null ? 1L : int64.decode(v) + 1))
              .map(int64::decode))
          .expectNext(expected)
          .verifyComplete();
    }
    StepVerifier.create(reactive.update(utf8("n"), v -> null)).verifyComplete();
    assertNull(store.get(utf8("n")));
  }

  @Test
  void writeCommitsTheBatchAsItWasWhenWriteWasCalled() {
    store.put("gone", "x");
    WriteBatch batch = WriteBatch.create().put("a", "1").put("b", "2").delete("gone");
    Mono<Long> write = reactive.write(batch);
    batch.clear().put("c", "3");
    long sequence = write.block();
    assertEquals(store.lastSequence(), sequence);
    assertEquals("1", store.get("a"));
    assertEquals("2", store.get("b"));
    assertNull(store.get("gone"));
    assertNull(store.get("c"), "a change to the batch after write() must not reach the store");
    assertEquals(2, store.stats().keys());
  }

  @Test
  void writeOfAnEmptyBatchEmitsTheLastSequenceAndWritesNothing() {
    store.put("a", "1");
    StepVerifier.create(reactive.write(WriteBatch.create())).expectNext(1L).verifyComplete();
    assertEquals(1, store.lastSequence());
  }

  @Test
  void misuseThrowsAtOnceLikeTheCore() {
    assertThrows(NullPointerException.class, () -> reactive.get(null));
    assertThrows(NullPointerException.class, () -> reactive.put(utf8("k"), null));
    assertThrows(IllegalArgumentException.class,
        () -> reactive.put(new byte[StoreOptions.MAX_KEY_BYTES + 1], utf8("v")));
    assertThrows(IllegalArgumentException.class,
        () -> reactive.compareAndSet(utf8("k"), null, new byte[StoreOptions.MAX_VALUE_BYTES + 1]));
    assertThrows(NullPointerException.class, () -> reactive.update(utf8("k"), null));
    assertThrows(NullPointerException.class, () -> reactive.write(null));
    assertThrows(NullPointerException.class, () -> reactive.scan(null));
    assertThrows(NullPointerException.class, () -> reactive.changes(null));
    assertEquals(0, store.lastSequence());
  }

  @Test
  void everyOperationOnAClosedStoreFailsWithStoreClosedException() {
    store.close();
    StepVerifier.create(reactive.get(utf8("k"))).verifyError(StoreClosedException.class);
    StepVerifier.create(reactive.put(utf8("k"), utf8("v"))).verifyError(StoreClosedException.class);
    StepVerifier.create(reactive.delete(utf8("k"))).verifyError(StoreClosedException.class);
    StepVerifier.create(reactive.compareAndSet(utf8("k"), null, utf8("v"))).verifyError(StoreClosedException.class);
    StepVerifier.create(reactive.update(utf8("k"), v -> v)).verifyError(StoreClosedException.class);
    StepVerifier.create(reactive.write(WriteBatch.create().put("k", "v"))).verifyError(StoreClosedException.class);
    StepVerifier.create(reactive.scan(KeyRange.all())).verifyError(StoreClosedException.class);
    StepVerifier.create(reactive.changes(ChangeQuery.after(0))).verifyError(StoreClosedException.class);
    StepVerifier.create(reactive.watch(utf8("k"))).verifyError(StoreClosedException.class);
  }

  @Test
  void anExceptionFromTheUpdateFunctionArrivesAsOnErrorAndWritesNothing() {
    IllegalStateException boom = new IllegalStateException("boom");
    StepVerifier.create(reactive.update(utf8("k"), v -> {
      throw boom;
    })).verifyErrorMatches(e -> e == boom);
    assertEquals(0, store.lastSequence());
  }

  @Test
  void theTypedViewEncodesKeysAndDecodesValuesThroughItsCodecs() {
    TypedReactiveStore<String, Long> counters = reactive.typed(Codec.utf8(), Codec.int64());
    StepVerifier.create(counters.get("visits")).verifyComplete();
    StepVerifier.create(counters.put("visits", 41L)).expectNextCount(1).verifyComplete();
    StepVerifier.create(counters.update("visits", v -> v + 1)).expectNext(42L).verifyComplete();
    StepVerifier.create(counters.get("visits")).expectNext(42L).verifyComplete();
    StepVerifier.create(counters.compareAndSet("visits", 41L, 0L)).expectNext(false).verifyComplete();
    StepVerifier.create(counters.compareAndSet("visits", 42L, 7L)).expectNext(true).verifyComplete();
    StepVerifier.create(counters.put("other", -5L)).expectNextCount(1).verifyComplete();
    StepVerifier.create(counters.scan(KeyRange.all()))
        .expectNext(Map.entry("other", -5L), Map.entry("visits", 7L))
        .verifyComplete();
    StepVerifier.create(counters.delete("visits")).expectNext(true).verifyComplete();
    StepVerifier.create(counters.update("visits", v -> v == null ? null : v + 1)).verifyComplete();
    assertArrayEquals(Codec.int64().encode(-5L), store.get(utf8("other")));
  }

  @Test
  void aValueTheCodecCannotDecodeArrivesAsOnError() {
    store.put("visits", "not eight bytes");
    StepVerifier.create(reactive.typed(Codec.utf8(), Codec.int64()).get("visits"))
        .verifyError(IllegalArgumentException.class);
  }

  @Test
  void theUpdateFunctionRunsOnTheBlockingSchedulerNotTheCallersThread() {
    AtomicInteger calls = new AtomicInteger();
    String[] threadName = new String[1];
    reactive.update(utf8("k"), v -> {
      calls.incrementAndGet();
      threadName[0] = Thread.currentThread().getName();
      return utf8("v");
    }).block();
    assertEquals(1, calls.get());
    assertTrue(threadName[0].startsWith("boundedElastic-"), "update ran on " + threadName[0]);
    assertEquals("v", text(store.get(utf8("k"))));
  }
}
