package dev.cairn.store.feed;

import static dev.cairn.store.feed.FeedTesting.delete;
import static dev.cairn.store.feed.FeedTesting.describe;
import static dev.cairn.store.feed.FeedTesting.existing;
import static dev.cairn.store.feed.FeedTesting.put;
import static dev.cairn.store.feed.FeedTesting.readThrough;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.StoreClosedException;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.WriteBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behaviour of the change feed ({@link Store#changes}): each kind of {@link ChangeQuery}, key-range
 * filters, batch boundaries, waiting ({@code poll} time-outs, {@code onAvailable}), misuse, store
 * close, and resuming a consumer across a close and reopen of the store.
 */
class ChangeFeedTest {
  private static final Duration READ_LIMIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private Store store;
  private final ExecutorService background = Executors.newCachedThreadPool();

  @BeforeEach
  void open() {
    store = Store.open(dir, options());
  }

  @AfterEach
  void close() {
    background.shutdownNow();
    store.close();
  }

  private static StoreOptions options() {
    return StoreOptions.builder().walRotateBytes(64 * 1024).build();
  }

  private void reopen() {
    store.close();
    store = Store.open(dir, options());
  }

  // ---------------------------------------------------------------- where a cursor starts

  @Test
  void afterZeroOnAFreshStoreReportsEveryCommitInOrderFromSequenceOne() {
    assertEquals(0, store.lastSequence());
    assertEquals(1, store.put("a", "1"));
    assertEquals(2, store.put("b", "2"));
    assertTrue(store.delete("a"));
    assertEquals(3, store.lastSequence());
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(0))) {
      assertEquals(0, cursor.position(), "a cursor after(0) has read nothing yet");
      List<Change> changes = readThrough(cursor, 3, READ_LIMIT);
      assertEquals(List.of(put(1, "a", "1"), put(2, "b", "2"), delete(3, "a")), changes, describe(changes));
      assertEquals(3, cursor.position());
      assertEquals(List.of(), cursor.poll(Duration.ofMillis(50)), "the cursor reported a commit twice");
    }
  }

  @Test
  void afterNResumesWithTheCommitRightAfterN() {
    for (int i = 1; i <= 10; i++) {
      assertEquals(i, store.put("k" + i, "v" + i));
    }
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(4))) {
      assertEquals(4, cursor.position());
      List<Change> changes = readThrough(cursor, 10, READ_LIMIT);
      List<Change> expected = new ArrayList<>();
      for (int i = 5; i <= 10; i++) {
        expected.add(put(i, "k" + i, "v" + i));
      }
      assertEquals(expected, changes, describe(changes));
    }
  }

  @Test
  void afterTheLastSequenceReportsOnlyLaterCommits() {
    store.put("a", "1");
    store.put("b", "2");
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(2))) {
      assertEquals(List.of(), cursor.poll(Duration.ofMillis(50)));
      store.put("c", "3");
      assertEquals(List.of(put(3, "c", "3")), readThrough(cursor, 3, READ_LIMIT));
    }
  }

  @Test
  void fromNowIgnoresCommitsMadeBeforeTheCursorOpened() {
    store.put("a", "1");
    store.put("b", "2");
    store.delete("a");
    try (ChangeCursor cursor = store.changes(ChangeQuery.fromNow())) {
      assertEquals(3, cursor.position(), "a fromNow cursor starts at the last commit");
      assertEquals(List.of(), cursor.poll(Duration.ofMillis(100)), "fromNow reported an earlier commit");
      store.put("c", "3");
      assertEquals(List.of(put(4, "c", "3")), readThrough(cursor, 4, READ_LIMIT));
    }
  }

  @Test
  void snapshotThenTailReportsTheLiveEntriesAtOneSequenceThenEveryLaterCommit() {
    store.put("a", "1");
    store.put("b", "2");
    store.put("c", "3");
    store.delete("b");
    store.put("a", "1'");
    long snapshotSequence = store.lastSequence();
    try (ChangeCursor cursor = store.changes(ChangeQuery.snapshotThenTail())) {
      assertEquals(-1, cursor.position(), "position() must be -1 during the snapshot phase");
      store.put("d", "4"); // after the snapshot: must come in the tail, not as EXISTING
      store.delete("c");
      List<Change> changes = readThrough(cursor, snapshotSequence + 2, READ_LIMIT);
      assertEquals(List.of(
          existing(snapshotSequence, "a", "1'"),
          existing(snapshotSequence, "c", "3"),
          put(snapshotSequence + 1, "d", "4"),
          delete(snapshotSequence + 2, "c")), changes, describe(changes));
    }
  }

  @Test
  void snapshotThenTailOverManyPollsHasNoGapNorDuplicateBetweenSnapshotAndTail() {
    int keys = 3000; // more than one poll's worth of EXISTING changes
    WriteBatch batch = WriteBatch.create();
    for (int i = 0; i < keys; i++) {
      batch.put(String.format("k%05d", i), "v" + i);
      if (batch.size() == 500) {
        store.write(batch);
        batch.clear();
      }
    }
    long snapshotSequence = store.lastSequence();
    TreeMap<String, String> state = new TreeMap<>();
    try (ChangeCursor cursor = store.changes(ChangeQuery.snapshotThenTail())) {
      List<Change> first = cursor.poll(Duration.ofSeconds(1));
      assertFalse(first.isEmpty());
      assertTrue(first.size() < keys, "the test needs a snapshot phase of several polls; the first poll returned "
          + first.size());
      assertEquals(-1, cursor.position(), "position() must stay -1 until the snapshot phase is complete");
      for (int i = 0; i < 20; i++) { // commits after the snapshot, overwriting keys it holds and adding keys
        store.put(String.format("k%05d", i * 100), "new" + i);
        store.delete(String.format("k%05d", i * 100 + 1));
        store.put("z" + i, "added" + i);
      }
      long last = store.lastSequence();
      List<Change> all = new ArrayList<>(first);
      all.addAll(readThrough(cursor, last, READ_LIMIT));
      int existingCount = 0;
      long expectedTail = snapshotSequence + 1;
      boolean tailBegan = false;
      for (Change c : all) {
        if (c.kind() == Change.Kind.EXISTING) {
          assertEquals(snapshotSequence, c.sequence(), "EXISTING change with another sequence: " + describe(c));
          assertFalse(tailBegan, "EXISTING change after the tail began: " + describe(c));
          existingCount++;
          String previous = state.put(c.keyString(), c.valueString());
          assertEquals(null, previous, "key reported twice by the snapshot: " + describe(c));
        } else {
          assertEquals(expectedTail, c.sequence(), "the tail has a gap or a duplicate at " + describe(c));
          expectedTail++;
          tailBegan = true;
          if (c.kind() == Change.Kind.PUT) {
            state.put(c.keyString(), c.valueString());
          } else {
            state.remove(c.keyString());
          }
        }
      }
      assertEquals(keys, existingCount, "the snapshot must hold every key live at sequence " + snapshotSequence);
      assertEquals(last + 1, expectedTail);
      assertEquals(last, cursor.position());
    }
    assertEquals(content(store), state, "snapshot + tail does not rebuild the store's content");
  }

  @Test
  void snapshotThenTailWithARangeReportsOnlyItsKeysInBothPhases() {
    store.put("a/1", "x");
    store.put("b/1", "x");
    store.put("a/2", "y");
    long snapshotSequence = store.lastSequence();
    try (ChangeCursor cursor = store.changes(ChangeQuery.snapshotThenTail().range(KeyRange.prefix("a/")))) {
      store.put("b/2", "z");
      store.write(WriteBatch.create().put("b/3", "z").delete("a/1"));
      List<Change> changes = readThrough(cursor, snapshotSequence + 2, READ_LIMIT);
      assertEquals(List.of(
          existing(snapshotSequence, "a/1", "x"),
          existing(snapshotSequence, "a/2", "y"),
          delete(snapshotSequence + 2, "a/1")), changes, describe(changes));
      assertEquals(snapshotSequence + 2, cursor.position());
    }
  }

  @Test
  void snapshotThenTailOfAnEmptyStoreGoesStraightToTheTail() {
    try (ChangeCursor cursor = store.changes(ChangeQuery.snapshotThenTail())) {
      assertEquals(List.of(), cursor.poll(Duration.ofMillis(50)));
      assertEquals(0, cursor.position());
      store.put("a", "1");
      assertEquals(List.of(put(1, "a", "1")), readThrough(cursor, 1, READ_LIMIT));
    }
  }

  @Test
  void aCursorReadsAllOfTheWalItOpenedBeforeThatWalWasRotated() {
    store.put("first", "1");
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(0))) { // opens the current WAL
      String value = "x".repeat(1000);
      long last = 0;
      for (int i = 2; i <= 200; i++) { // 200 KB: the WAL the cursor opened fills up and rotates
        last = store.put("k" + i, value);
      }
      List<Change> changes = readThrough(cursor, last, READ_LIMIT);
      assertEquals(last, changes.size(), describe(changes));
      for (int j = 0; j < changes.size(); j++) {
        assertEquals(j + 1, changes.get(j).sequence(), describe(changes));
      }
    }
  }

  @Test
  void aCursorOpenedOnAFreshStoreMissesNoCommitWhenTheFirstWalRotates() {
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(0))) { // opens the empty first WAL
      String value = "x".repeat(1000);
      long last = 0;
      for (int i = 1; i <= 200; i++) {
        last = store.put("k" + i, value);
      }
      List<Change> changes = readThrough(cursor, last, READ_LIMIT);
      assertEquals(put(1, "k1", value), changes.get(0), "the first change after(0) on a fresh store");
      assertEquals(last, changes.size(), describe(changes));
    }
  }

  // ---------------------------------------------------------------- key-range filters

  @Test
  void aPrefixFilterReportsOnlyMatchingKeysButItsPositionPassesFilteredCommits() {
    store.put("a/1", "x");
    store.put("b/1", "x");
    store.write(WriteBatch.create().put("b/2", "y").put("a/2", "y").delete("b/1"));
    store.put("b/3", "z");
    store.put("b/4", "z");
    long last = store.lastSequence();
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(0).range(KeyRange.prefix("a/")))) {
      List<Change> changes = readThrough(cursor, last, READ_LIMIT);
      assertEquals(List.of(put(1, "a/1", "x"), put(3, "a/2", "y")), changes, describe(changes));
      assertEquals(last, cursor.position(), "position() must pass the trailing filtered-out commits");
    }
  }

  @Test
  void anIdleFilteredCursorsPositionFollowsTheLastSequenceAfterPolling() {
    store.put("a/1", "x");
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(0).range(KeyRange.prefix("a/")))) {
      assertEquals(List.of(put(1, "a/1", "x")), readThrough(cursor, 1, READ_LIMIT));
      for (int i = 0; i < 50; i++) {
        store.put("b/" + i, "y");
      }
      assertEquals(List.of(), cursor.poll(Duration.ofMillis(200)), "a filtered-out commit was reported");
      assertEquals(store.lastSequence(), cursor.position(),
          "an idle filtered cursor must not stay behind: resuming from it would re-read " + 50 + " commits");
      store.put("a/2", "z");
      assertEquals(List.of(put(52, "a/2", "z")), readThrough(cursor, 52, READ_LIMIT));
    }
  }

  // ---------------------------------------------------------------- batch boundaries

  @Test
  void aBatchArrivesInOnePollWithOneSequence() {
    store.put("before", "0");
    long batchSequence = store.write(WriteBatch.create().put("x", "1").put("y", "2").delete("before"));
    store.put("after", "3");
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(1))) {
      List<Change> first = cursor.poll(Duration.ofSeconds(1));
      assertTrue(first.size() >= 3, "the 3-op batch was split: first poll " + describe(first));
      assertEquals(List.of(put(2, "x", "1"), put(2, "y", "2"), delete(2, "before")), first.subList(0, 3));
      assertEquals(2, batchSequence);
    }
  }

  @Test
  void aBatchBiggerThanOnePollsTargetIsStillNotSplit() {
    int ops = 5000;
    store.put("first", "0");
    WriteBatch batch = WriteBatch.create();
    for (int i = 0; i < ops; i++) {
      batch.put("k" + i, "v" + i);
    }
    long batchSequence = store.write(batch);
    store.put("last", "0");
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(0))) {
      List<List<Change>> polls = new ArrayList<>();
      while (cursor.position() < batchSequence + 1) {
        List<Change> poll = cursor.poll(Duration.ofSeconds(1));
        if (!poll.isEmpty()) {
          polls.add(poll);
        }
      }
      for (List<Change> poll : polls) {
        long ofBatch = poll.stream().filter(c -> c.sequence() == batchSequence).count();
        assertTrue(ofBatch == 0 || ofBatch == ops,
            "a poll returned " + ofBatch + " of the " + ops + " changes of one batch");
      }
      assertEquals(ops + 2, polls.stream().mapToInt(List::size).sum());
    }
  }

  // ---------------------------------------------------------------- waiting

  @Test
  void pollReturnsEmptyAfterItsTimeoutWhenNothingIsCommitted() {
    store.put("a", "1");
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(1))) {
      long start = System.nanoTime();
      List<Change> changes = cursor.poll(Duration.ofMillis(300));
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(List.of(), changes);
      assertTrue(elapsedMillis >= 290, "poll(300 ms) returned after " + elapsedMillis + " ms");
      assertTrue(elapsedMillis < 3000, "poll(300 ms) returned after " + elapsedMillis + " ms");
      assertEquals(List.of(), cursor.poll(Duration.ZERO), "poll(0) must not wait");
    }
  }

  @Test
  void aWaitingPollWakesPromptlyWhenAnotherThreadCommits() throws Exception {
    try (ChangeCursor cursor = store.changes(ChangeQuery.fromNow())) {
      long[] committedAt = new long[1];
      Future<?> writer = background.submit(() -> {
        Thread.sleep(200);
        committedAt[0] = System.nanoTime();
        store.put("a", "1");
        return null;
      });
      long start = System.nanoTime();
      List<Change> changes = cursor.poll(Duration.ofSeconds(30));
      long woke = System.nanoTime();
      writer.get(10, TimeUnit.SECONDS);
      assertEquals(List.of(put(1, "a", "1")), changes);
      long waitedMillis = TimeUnit.NANOSECONDS.toMillis(woke - start);
      long latencyMillis = TimeUnit.NANOSECONDS.toMillis(woke - committedAt[0]);
      System.out.println("poll woke " + latencyMillis + " ms after the commit began (waited " + waitedMillis + " ms)");
      assertTrue(waitedMillis < 5000, "poll(30 s) woke only after " + waitedMillis + " ms");
    }
  }

  @Test
  void onAvailableCompletesAfterACommitAndNotBefore() throws Exception {
    store.put("a", "1");
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(1))) {
      CompletableFuture<Void> available = cursor.onAvailable();
      Thread.sleep(200);
      assertFalse(available.isDone(), "onAvailable completed with no commit after the cursor's position");
      store.put("b", "2");
      available.get(5, TimeUnit.SECONDS);
      assertEquals(List.of(put(2, "b", "2")), cursor.poll(Duration.ZERO));
      CompletableFuture<Void> next = cursor.onAvailable();
      Thread.sleep(100);
      assertFalse(next.isDone(), "onAvailable completed again for a commit the cursor already read");
    }
  }

  @Test
  void onAvailableIsCompleteAtOnceWhenCommitsAreWaiting() throws Exception {
    store.put("a", "1");
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(0))) {
      cursor.onAvailable().get(1, TimeUnit.SECONDS);
    }
  }

  // ---------------------------------------------------------------- store close and misuse

  @Test
  void closingTheStoreFailsAWaitingPollAndAPendingOnAvailableWithStoreClosed() throws Exception {
    ChangeCursor waiting = store.changes(ChangeQuery.fromNow());
    ChangeCursor other = store.changes(ChangeQuery.fromNow());
    CompletableFuture<Void> available = other.onAvailable();
    Future<List<Change>> poll = background.submit(() -> waiting.poll(Duration.ofSeconds(30)));
    Thread.sleep(200);
    assertFalse(poll.isDone(), "poll returned with nothing committed: " + (poll.isDone() ? poll.get() : ""));
    long start = System.nanoTime();
    store.close();
    ExecutionException pollFailure = assertThrows(ExecutionException.class, () -> poll.get(5, TimeUnit.SECONDS));
    assertInstanceOf(StoreClosedException.class, pollFailure.getCause());
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5000);
    ExecutionException availableFailure = assertThrows(ExecutionException.class,
        () -> available.get(5, TimeUnit.SECONDS));
    assertInstanceOf(StoreClosedException.class, availableFailure.getCause());
    assertThrows(StoreClosedException.class, () -> waiting.poll(Duration.ZERO));
    assertThrows(StoreClosedException.class, () -> other.poll(Duration.ofMillis(10)));
    assertFutureFailsWithStoreClosed(other.onAvailable());
    assertThrows(StoreClosedException.class, () -> store.changes(ChangeQuery.after(0)));
    waiting.close();
    other.close();
  }

  @Test
  void pollAndOnAvailableRacingAStoreCloseFailOnlyWithStoreClosed() throws Exception {
    for (int attempt = 0; attempt < 15; attempt++) {
      String where = "attempt " + attempt + ": ";
      Store racing = Store.open(dir.resolve("race"), options());
      ChangeCursor polled = racing.changes(ChangeQuery.fromNow());
      ChangeCursor awaited = racing.changes(ChangeQuery.fromNow());
      CountDownLatch running = new CountDownLatch(2);
      Future<Throwable> poller = background.submit(() -> {
        running.countDown();
        for (;;) {
          try {
            polled.poll(Duration.ofNanos(1000));
          } catch (Throwable t) {
            return t;
          }
        }
      });
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      Future<Throwable> waiter = background.submit(() -> { // calls onAvailable as fast as it can until one fails
        running.countDown();
        try {
          for (;;) {
            CompletableFuture<Void> future = awaited.onAvailable();
            futures.add(future);
            if (future.isCompletedExceptionally()) {
              return null;
            }
          }
        } catch (Throwable t) {
          return t;
        }
      });
      running.await();
      Thread.sleep(attempt % 3);
      racing.close();
      Throwable pollFailure = poller.get(10, TimeUnit.SECONDS);
      Throwable awaitFailure = waiter.get(10, TimeUnit.SECONDS);
      polled.close();
      awaited.close();
      if (!(pollFailure instanceof StoreClosedException)) {
        throw new AssertionError(where + "poll racing close threw " + pollFailure, pollFailure);
      }
      if (awaitFailure != null) {
        throw new AssertionError(where + "onAvailable racing close threw " + awaitFailure, awaitFailure);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      for (CompletableFuture<Void> future : futures) {
        while (!future.isDone() && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
        Throwable failure = future.handle((ignored, t) -> t).getNow(null);
        if (!(failure instanceof StoreClosedException)) {
          throw new AssertionError(where + "an onAvailable future of " + futures.size() + " ended with " + failure
              + " (done: " + future.isDone() + ") after the store closed");
        }
      }
    }
  }

  @Test
  void aClosedCursorRefusesPollAndOnAvailable() throws Exception {
    ChangeCursor cursor = store.changes(ChangeQuery.after(0));
    cursor.close();
    cursor.close(); // idempotent
    assertThrows(StoreClosedException.class, () -> cursor.poll(Duration.ZERO));
    assertFutureFailsWithStoreClosed(cursor.onAvailable());
  }

  private static void assertFutureFailsWithStoreClosed(CompletableFuture<Void> future) throws Exception {
    try {
      future.get(5, TimeUnit.SECONDS);
      throw new AssertionError("onAvailable completed normally after close");
    } catch (ExecutionException e) {
      assertInstanceOf(StoreClosedException.class, e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("onAvailable neither completed nor failed after close", e);
    }
  }

  @Test
  void resumingAfterASequenceNotYetCommittedIsIllegal() {
    assertThrows(IllegalArgumentException.class, () -> store.changes(ChangeQuery.after(1)));
    store.put("a", "1");
    store.put("b", "2");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> store.changes(ChangeQuery.after(store.lastSequence() + 1)));
    assertTrue(e.getMessage().contains("3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ChangeQuery.after(-1));
    store.changes(ChangeQuery.after(store.lastSequence())).close();
  }

  @Test
  void deletingAnAbsentKeyCommitsNothingAndReportsNoChange() {
    store.put("a", "1");
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(1))) {
      assertFalse(store.delete("never-written"));
      assertTrue(store.delete("a"));
      assertFalse(store.delete("a"));
      assertEquals(2, store.lastSequence(), "a delete of an absent key used a sequence");
      assertEquals(List.of(delete(2, "a")), readThrough(cursor, 2, READ_LIMIT));
      assertEquals(List.of(), cursor.poll(Duration.ofMillis(100)));
      assertEquals(3, store.put("b", "2"));
      assertEquals(List.of(put(3, "b", "2")), readThrough(cursor, 3, READ_LIMIT));
    }
  }

  // ---------------------------------------------------------------- close and reopen

  @Test
  void aConsumerResumesExactlyAfterAReopenOfTheStore() {
    for (int i = 1; i <= 5; i++) {
      store.put("k" + i, "v" + i);
    }
    long position;
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(0))) {
      List<Change> first = readThrough(cursor, 3, READ_LIMIT);
      position = cursor.position();
      assertEquals(put(position, "k" + position, "v" + position), first.get(first.size() - 1));
    }
    reopen();
    assertEquals(5, store.lastSequence());
    assertEquals(6, store.put("k6", "v6"), "a sequence was reused after the reopen");
    store.write(WriteBatch.create().put("k7", "v7").delete("k1"));
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(position))) {
      List<Change> rest = readThrough(cursor, 7, READ_LIMIT);
      List<Change> expected = new ArrayList<>();
      for (long s = position + 1; s <= 6; s++) {
        expected.add(put(s, "k" + s, "v" + s));
      }
      expected.add(put(7, "k7", "v7"));
      expected.add(delete(7, "k1"));
      assertEquals(expected, rest, describe(rest));
    }
  }

  @Test
  void aConsumerResumesExactlyAfterAReopenWhoseCloseFlushedTheWalIntoASegment() {
    Path bigDir = dir.resolve("big");
    StoreOptions defaults = StoreOptions.defaults(); // a 32 MiB WAL: no rotation, but a flush at close (>= 1 MiB)
    String value = "x".repeat(1000);
    int commits = 3000;
    long position;
    try (Store big = Store.open(bigDir, defaults)) {
      for (int i = 1; i <= commits; i++) {
        big.put("k" + (i % 700), value + i);
      }
      assertEquals(0, big.stats().segments(), "the test needs the WAL unflushed until close");
      try (ChangeCursor cursor = big.changes(ChangeQuery.after(1234))) {
        readThrough(cursor, 2000, READ_LIMIT);
        position = cursor.position();
      }
    }
    try (Store big = Store.open(bigDir, defaults)) {
      assertTrue(big.stats().segments() > 0, "close did not flush the 3 MB WAL into a segment");
      assertEquals(commits, big.lastSequence());
      assertEquals(commits + 1, big.put("after-reopen", "1"));
      try (ChangeCursor cursor = big.changes(ChangeQuery.after(position))) {
        List<Change> rest = readThrough(cursor, commits + 1, READ_LIMIT);
        assertEquals(commits + 1 - position, rest.size(), describe(rest));
        for (int j = 0; j < rest.size() - 1; j++) {
          long s = position + 1 + j;
          assertEquals(put(s, "k" + (s % 700), value + s), rest.get(j));
        }
        assertEquals(put(commits + 1, "after-reopen", "1"), rest.get(rest.size() - 1));
      }
      try (ChangeCursor cursor = big.changes(ChangeQuery.after(0))) {
        List<Change> all = readThrough(cursor, commits + 1, READ_LIMIT);
        assertEquals(commits + 1, all.size(), "after(0) after a reopen lost part of the retained history");
        assertEquals(put(1, "k1", value + 1), all.get(0));
      }
    }
  }

  private static Map<String, String> content(Store store) {
    TreeMap<String, String> map = new TreeMap<>();
    try (Cursor cursor = store.scan(KeyRange.all())) {
      while (cursor.hasNext()) {
        Entry e = cursor.next();
        map.put(e.keyString(), e.valueString());
      }
    }
    return map;
  }
}
