package dev.cairn.store.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeHistoryLostException;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.StoreClosedException;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.WriteBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * {@link ReactiveStore#changes}: resumption, backpressure (polls follow demand, the buffer is one
 * poll), waiting without a thread, whole batches, typed errors, and cursors closed on every ending.
 */
class ChangesTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private Store store;
  private CountingStore counting;
  private ReactiveStore reactive;

  @BeforeEach
  void open() {
    store = Store.open(dir);
    counting = new CountingStore(store);
    reactive = ReactiveStore.wrap(counting);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static boolean isPut(Change c, long sequence, String key, String value) {
    return c.kind() == Change.Kind.PUT && c.sequence() == sequence && c.keyString().equals(key)
        && c.valueString().equals(value);
  }

  private void commitSingleKeyChanges(int count) {
    for (int i = 1; i <= count; i++) {
      store.put("k" + (i % 100), "v" + i);
    }
  }

  @Test
  void changesAfterASequenceReplayTheHistoryThenFollowNewCommits() {
    store.put("a", "1");
    store.put("b", "2");
    StepVerifier.create(reactive.changes(ChangeQuery.after(1)))
        .expectNextMatches(c -> isPut(c, 2, "b", "2"))
        .then(() -> store.put("c", "3"))
        .expectNextMatches(c -> isPut(c, 3, "c", "3"))
        .then(() -> store.delete("a"))
        .expectNextMatches(c -> c.kind() == Change.Kind.DELETE && c.sequence() == 4 && c.keyString().equals("a"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void theCursorIsPolledOnlyWhileTheSubscriberHasDemand() {
    commitSingleKeyChanges(2_500);
    StepVerifier.create(reactive.changes(ChangeQuery.after(0)), 0)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(100))
        .then(() -> assertEquals(0, counting.polls.get(), "polled without demand"))
        .thenRequest(1)
        .expectNextMatches(c -> isPut(c, 1, "k1", "v1"))
        .expectNoEvent(Duration.ofMillis(100))
        .then(() -> {
          assertEquals(1, counting.polls.get(), "request(1) must take one poll");
          assertTrue(counting.changesPolled.get() <= 1_024, "one poll returned " + counting.changesPolled.get());
        })
        .thenRequest(1_500)
        .expectNextCount(1_500)
        .expectNoEvent(Duration.ofMillis(100))
        .then(() -> {
          long buffered = counting.changesPolled.get() - 1_501;
          assertTrue(buffered >= 0 && buffered <= 1_024, "polled but not requested: " + buffered);
          assertTrue(counting.polls.get() <= 3, "1,501 changes took " + counting.polls.get() + " polls");
        })
        .thenRequest(999)
        .expectNextMatches(c -> c.sequence() == 1_502)
        .expectNextCount(998)
        .expectNoEvent(Duration.ofMillis(50))
        .thenCancel()
        .verify(TIMEOUT);
    Waits.until(() -> counting.feedsClosed.get() == 1, TIMEOUT, "the change cursor closed on cancel");
  }

  @Test
  void withNothingToReadTheFeedWaitsOnOnAvailableWithoutParkingAThread() {
    StepVerifier.create(reactive.changes(ChangeQuery.fromNow()), 3)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(300))
        .then(() -> {
          assertEquals(0, counting.waitingPolls.get(), "a poll with a timeout parks the polling thread");
          assertTrue(counting.polls.get() <= 2, "an idle feed polled " + counting.polls.get() + " times: busy polling");
        })
        .then(() -> CompletableFuture.runAsync(() -> {
          store.put("x", "1");
          store.put("y", "2");
          store.put("z", "3");
        }))
        .expectNextMatches(c -> c.keyString().equals("x"))
        .expectNextMatches(c -> c.keyString().equals("y"))
        .expectNextMatches(c -> c.keyString().equals("z"))
        .thenCancel()
        .verify(TIMEOUT);
    assertEquals(0, counting.waitingPolls.get());
  }

  @Test
  void theChangesOfABatchArriveTogetherUnderOneSequenceInBatchOrder() {
    long sequence = store.write(WriteBatch.create().put("b", "1").delete("a").put("c", "2"));
    StepVerifier.create(reactive.changes(ChangeQuery.after(sequence - 1)))
        .expectNextMatches(c -> isPut(c, sequence, "b", "1"))
        .expectNextMatches(c -> c.kind() == Change.Kind.DELETE && c.sequence() == sequence && c.keyString().equals("a"))
        .expectNextMatches(c -> isPut(c, sequence, "c", "2"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void aRangeNarrowsTheFeedToItsKeys() {
    store.put("user:1", "ada");
    store.put("order:1", "book");
    store.put("user:2", "alan");
    StepVerifier.create(reactive.changes(ChangeQuery.after(0).range(KeyRange.prefix("user:"))))
        .expectNextMatches(c -> isPut(c, 1, "user:1", "ada"))
        .expectNextMatches(c -> isPut(c, 3, "user:2", "alan"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void snapshotThenTailReportsExistingEntriesThenNewCommits() {
    store.put("a", "1");
    store.put("b", "2");
    StepVerifier.create(reactive.changes(ChangeQuery.snapshotThenTail()))
        .expectNextMatches(c -> c.kind() == Change.Kind.EXISTING && c.keyString().equals("a"))
        .expectNextMatches(c -> c.kind() == Change.Kind.EXISTING && c.keyString().equals("b"))
        .then(() -> store.put("c", "3"))
        .expectNextMatches(c -> isPut(c, 3, "c", "3"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void aSlowSubscriberGetsEveryChangeOnceAndInOrderWhileWritesContinue() {
    int total = 3_000;
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> commitSingleKeyChanges(total));
    List<Change> received = reactive.changes(ChangeQuery.after(0))
        .limitRate(7)
        .take(total)
        .collectList()
        .block(Duration.ofSeconds(30));
    writer.join();
    for (int i = 0; i < total; i++) {
      Change c = received.get(i);
      assertTrue(isPut(c, i + 1, "k" + ((i + 1) % 100), "v" + (i + 1)), "change " + i + " is " + c);
    }
    Waits.until(() -> counting.feedsClosed.get() == 1, TIMEOUT, "the change cursor closed after take()");
  }

  @Test
  void resumingAfterASequenceNotYetCommittedFailsWithIllegalArgumentException() {
    store.put("a", "1");
    StepVerifier.create(reactive.changes(ChangeQuery.after(5))).verifyError(IllegalArgumentException.class);
  }

  @Test
  void cancellingAWaitingFeedClosesItsCursorAndTheStoreThenClosesCleanly() {
    StepVerifier.create(reactive.changes(ChangeQuery.fromNow()))
        .expectSubscription()
        .then(() -> Waits.until(() -> counting.polls.get() >= 1, TIMEOUT, "the first poll"))
        .thenCancel()
        .verify(TIMEOUT);
    Waits.until(() -> counting.feedsClosed.get() == 1, TIMEOUT, "the change cursor closed on cancel");
    store.put("after", "cancel");
    store.close();
    assertEquals(counting.feedsOpened.get(), counting.feedsClosed.get());
  }

  @Test
  void closingTheStoreEndsAWaitingFeedWithStoreClosedException() {
    StepVerifier.create(reactive.changes(ChangeQuery.fromNow()))
        .expectSubscription()
        .then(() -> Waits.until(() -> counting.polls.get() >= 1, TIMEOUT, "the first poll"))
        .then(store::close)
        .expectError(StoreClosedException.class)
        .verify(TIMEOUT);
    assertEquals(1, counting.feedsClosed.get(), "the error must close the cursor");
  }

  @Test
  void resumingBeforeTheRetainedHistoryFailsWithChangeHistoryLostException(@TempDir Path smallHistoryDir) {
    StoreOptions options = StoreOptions.builder().walRotateBytes(64 * 1024).changeRetention(0, null).build();
    try (Store small = Store.open(smallHistoryDir, options)) {
      String padding = "p".repeat(1_000);
      for (int i = 0; i < 600; i++) {
        small.put("k" + (i % 50), "v" + i + padding); // 600 KB: about ten WAL rotations
      }
      small.compact();
      small.put("after", "compaction");
      StepVerifier.create(ReactiveStore.wrap(small).changes(ChangeQuery.after(0)))
          .expectErrorSatisfies(e -> {
            ChangeHistoryLostException lost = (ChangeHistoryLostException) e;
            assertEquals(0, lost.requestedAfter());
            assertTrue(lost.oldestAvailable() > 1, "oldest available " + lost.oldestAvailable());
          })
          .verify(TIMEOUT);
    }
  }
}
