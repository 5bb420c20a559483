package dev.cairn.store.reactor;

import static dev.cairn.store.reactor.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Cancelling a subscription never interrupts the thread that is inside the store (an interrupt
 * inside {@code FileChannel} I/O closes the channel for every thread). A gated store holds a call
 * inside the store while the subscriber cancels, then records whether the thread was interrupted.
 */
class CancellationTest {
  private static final long WAIT_SECONDS = 10;

  @TempDir Path dir;
  private Store store;
  private GatedStore gated;

  /** A store whose {@code get}, and the second {@code hasNext} of each scan cursor, wait at a gate. */
  private static final class GatedStore extends ForwardingStore {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);
    final CountDownLatch left = new CountDownLatch(1);
    final AtomicBoolean interrupted = new AtomicBoolean();

    GatedStore(Store delegate) {
      super(delegate);
    }

    private void waitAtGate() {
      entered.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        interrupted.set(true);
      }
      if (Thread.currentThread().isInterrupted()) {
        interrupted.set(true);
      }
      left.countDown();
    }

    @Override
    public byte[] get(byte[] key) {
      waitAtGate();
      return super.get(key);
    }

    @Override
    public Cursor scan(KeyRange range) {
      Cursor cursor = super.scan(range);
      AtomicInteger calls = new AtomicInteger();
      return new Cursor() {
        @Override
        public boolean hasNext() {
          if (calls.incrementAndGet() == 2) {
            waitAtGate();
          }
          return cursor.hasNext();
        }

        @Override
        public Entry next() {
          return cursor.next();
        }

        @Override
        public void close() {
          cursor.close();
        }
      };
    }
  }

  @BeforeEach
  void open() {
    store = Store.open(dir);
    store.put("a", "1");
    store.put("b", "2");
    gated = new GatedStore(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Subscribes, waits until the call is inside the store, cancels, then opens the gate. */
  private void cancelWhileInsideTheStore(Mono<?> call, AtomicBoolean emitted) throws InterruptedException {
    Disposable subscription = call.subscribe(v -> emitted.set(true));
    assertTrue(gated.entered.await(WAIT_SECONDS, TimeUnit.SECONDS), "the call never reached the store");
    subscription.dispose();
    Thread.sleep(50); // an interrupt, if any, lands while the call is still at the gate
    gated.gate.countDown();
    assertTrue(gated.left.await(WAIT_SECONDS, TimeUnit.SECONDS), "the call never left the gate");
  }

  @Test
  void cancellingAGetWhileTheStoreReadsNeverInterruptsTheReadingThread() throws InterruptedException {
    AtomicBoolean emitted = new AtomicBoolean();
    cancelWhileInsideTheStore(ReactiveStore.wrap(gated).get(utf8("a")), emitted);
    assertFalse(gated.interrupted.get(), "cancellation interrupted the thread inside Store.get");
    Thread.sleep(50);
    assertFalse(emitted.get(), "a cancelled get emitted its value");
  }

  @Test
  void cancellingAScanWhileItsCursorReadsNeverInterruptsTheReadingThread() throws InterruptedException {
    AtomicBoolean emitted = new AtomicBoolean();
    cancelWhileInsideTheStore(ReactiveStore.wrap(gated).scan(KeyRange.all()).skip(1).next(), emitted);
    assertFalse(gated.interrupted.get(), "cancellation interrupted the thread inside Cursor.hasNext");
    assertFalse(emitted.get());
  }

  /**
   * Pins the Reactor behaviour that {@link ReactiveStore} is built to avoid: with reactor-core 3.8,
   * cancelling {@code Mono.fromCallable(call).subscribeOn(boundedElastic())} while the call runs
   * interrupts the worker thread ({@code WorkerTask.dispose} calls {@code Future.cancel(true)} from
   * another thread). Should Reactor ever stop interrupting, this test fails and the notes in
   * {@code Offload} and the README can be relaxed.
   */
  @Test
  void reactorsOwnSubscribeOnInterruptsAWorkerCancelledMidCallWhichIsWhyReactiveStoreAvoidsIt()
      throws InterruptedException {
    AtomicBoolean emitted = new AtomicBoolean();
    cancelWhileInsideTheStore(
        Mono.fromCallable(() -> gated.get(utf8("a"))).subscribeOn(Schedulers.boundedElastic()), emitted);
    assertTrue(gated.interrupted.get(), "Reactor no longer interrupts a cancelled subscribeOn worker");
    assertEquals(false, emitted.get());
  }
}
