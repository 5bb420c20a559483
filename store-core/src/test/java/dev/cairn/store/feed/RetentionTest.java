package dev.cairn.store.feed;

import static dev.cairn.store.feed.FeedTesting.describe;
import static dev.cairn.store.feed.FeedTesting.put;
import static dev.cairn.store.feed.FeedTesting.readThrough;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeHistoryLostException;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Store;
import dev.cairn.store.StoreException;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.WriteBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change-history retention ({@link StoreOptions.Builder#changeRetention}): WAL files flushed into
 * segments are deleted beyond the byte budget or the age limit, a cursor that needs deleted
 * history fails with {@link ChangeHistoryLostException} naming exactly the oldest sequence still
 * readable, and the default retention keeps history across a reopen.
 */
class RetentionTest {
  private static final long WAL_ROTATE_BYTES = 64 * 1024;
  private static final Duration READ_LIMIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private static StoreOptions.Builder smallWal() {
    return StoreOptions.builder().walRotateBytes(WAL_ROTATE_BYTES);
  }

  /** Puts {@code k<i % 500>} = {@code value(i)} for i in [from, to), one commit each; returns the last sequence. */
  private static long write(Store store, int from, int to) {
    long last = 0;
    for (int i = from; i < to; i++) {
      last = store.put("k" + (i % 500), value(i));
    }
    return last;
  }

  private static String value(long i) {
    return "v" + i + ":" + "p".repeat(1000);
  }

  @Test
  void withZeroBytesOfRetentionAfterZeroFailsAndOldestAvailableIsTheFirstReadableSequence() {
    try (Store store = Store.open(dir, smallWal().changeRetention(0, null).build())) {
      write(store, 1, 1001); // 1 MB: about 15 rotations
      store.compact();
      long last = write(store, 1001, 1011);
      ChangeHistoryLostException lost = assertThrows(ChangeHistoryLostException.class,
          () -> store.changes(ChangeQuery.after(0)).close());
      assertEquals(0, lost.requestedAfter());
      long oldest = lost.oldestAvailable();
      assertTrue(oldest > 1, "history from sequence " + oldest + " should have been deleted");
      assertTrue(oldest <= 1001, "oldestAvailable() " + oldest + " is past the first commit after the compaction");
      assertOldestAvailableIsExact(store, oldest, last);
    }
  }

  @Test
  void aSmallByteBudgetKeepsTheNewestFlushedWalsWithinTheBudget() {
    long budget = 256 * 1024;
    try (Store store = Store.open(dir, smallWal().changeRetention(budget, null).build())) {
      long last = write(store, 1, 2001); // 2 MB: about 30 rotations
      store.compact();
      ChangeHistoryLostException lost = assertThrows(ChangeHistoryLostException.class,
          () -> store.changes(ChangeQuery.after(0)).close());
      long oldest = lost.oldestAvailable();
      assertTrue(oldest > 1 && oldest < last, "oldestAvailable() " + oldest + " of " + last
          + ": a 256 KiB budget keeps some of the 2 MB of history");
      long keptBytes = (last - oldest + 1) * value(0).length();
      assertTrue(keptBytes <= budget + WAL_ROTATE_BYTES + 16 * 1024,
          "history from " + oldest + " to " + last + " (~" + keptBytes / 1024 + " KiB) exceeds the budget");
      assertTrue(keptBytes >= budget - 2 * WAL_ROTATE_BYTES,
          "only ~" + keptBytes / 1024 + " KiB of history kept with a budget of " + budget / 1024 + " KiB");
      assertTrue(store.stats().walBytes() <= budget + 2 * WAL_ROTATE_BYTES,
          "WAL files take " + store.stats().walBytes() + " bytes with a history budget of " + budget);
      assertOldestAvailableIsExact(store, oldest, last);
    }
  }

  /**
   * Checks that {@code oldest} is exactly where history starts: a cursor after {@code oldest - 1}
   * opens and reads every commit from {@code oldest} to {@code last}, while one after {@code
   * oldest - 2} fails.
   */
  private static void assertOldestAvailableIsExact(Store store, long oldest, long last) {
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(oldest - 1))) {
      List<Change> changes = readThrough(cursor, last, READ_LIMIT);
      assertTrue(!changes.isEmpty(), "no change after oldestAvailable() - 1");
      assertEquals(oldest, changes.get(0).sequence(), "the first change readable after(oldestAvailable() - 1)");
      for (int j = 0; j < changes.size(); j++) {
        long s = oldest + j;
        assertEquals(put(s, "k" + (s % 500), value(s)), changes.get(j), "retained history is not the commits made");
      }
      assertEquals(last - oldest + 1, changes.size());
    }
    if (oldest >= 2) {
      ChangeHistoryLostException again = assertThrows(ChangeHistoryLostException.class,
          () -> store.changes(ChangeQuery.after(oldest - 2)).close());
      assertEquals(oldest, again.oldestAvailable());
      assertEquals(oldest - 2, again.requestedAfter());
    }
  }

  @Test
  void aLaggingCursorWhoseNextWalWasDeletedFailsWithHistoryLostNotCorruption() {
    try (Store store = Store.open(dir, smallWal().changeRetention(256 * 1024, null).build())) {
      write(store, 1, 601); // 600 KB: the oldest flushed WALs go, the newest 256 KiB stay
      store.compact();
      long oldest = assertThrows(ChangeHistoryLostException.class, () -> store.changes(ChangeQuery.after(0)).close())
          .oldestAvailable();
      try (ChangeCursor cursor = store.changes(ChangeQuery.after(oldest - 1))) { // holds the oldest retained WAL open
        long last = write(store, 601, 1601); // 1 MB more: every WAL the cursor needs after its first is deleted
        store.compact();
        List<Change> read = new ArrayList<>();
        StoreException failure = null;
        for (int polls = 0; polls < 1000 && failure == null && cursor.position() < last; polls++) {
          try {
            read.addAll(cursor.poll(Duration.ofMillis(10)));
          } catch (StoreException e) {
            failure = e;
          }
        }
        for (int j = 0; j < read.size(); j++) {
          assertEquals(oldest + j, read.get(j).sequence(), "the cursor skipped deleted history: " + describe(read));
        }
        if (failure == null) {
          fail("no failure, and the cursor is at position " + cursor.position() + " of " + last
              + " (oldest retained " + oldest + "); it read " + describe(read));
        }
        ChangeHistoryLostException lost = assertInstanceOf(ChangeHistoryLostException.class, failure,
            "a cursor whose history retention deleted must fail with ChangeHistoryLostException, got " + failure);
        assertTrue(lost.oldestAvailable() > cursor.position() + 1, "oldestAvailable() " + lost.oldestAvailable()
            + " after position " + cursor.position());
      }
    }
  }

  @Test
  void aSnapshotThenTailCursorWhoseTailWasDeletedFailsWithHistoryLostOnEveryPoll() {
    try (Store store = Store.open(dir, smallWal().changeRetention(0, null).build())) {
      WriteBatch batch = WriteBatch.create();
      for (int i = 0; i < 3000; i++) { // a snapshot phase of several polls
        batch.put(String.format("s%05d", i), "v");
      }
      store.write(batch);
      try (ChangeCursor cursor = store.changes(ChangeQuery.snapshotThenTail())) {
        assertEquals(Change.Kind.EXISTING, cursor.poll(Duration.ZERO).get(0).kind());
        write(store, 1, 1001); // the commits after the snapshot are flushed and deleted
        store.compact();
        StoreException failure = null;
        for (int polls = 0; polls < 10 && failure == null; polls++) {
          try {
            cursor.poll(Duration.ZERO);
          } catch (StoreException e) {
            failure = e;
          }
        }
        assertInstanceOf(ChangeHistoryLostException.class, failure,
            "the tail after the snapshot was deleted; the cursor got " + failure);
        for (int again = 0; again < 2; again++) {
          RuntimeException next = assertThrows(RuntimeException.class, () -> cursor.poll(Duration.ZERO),
              "a poll after ChangeHistoryLostException returned normally");
          assertInstanceOf(ChangeHistoryLostException.class, next,
              "a poll after ChangeHistoryLostException must fail the same way, not with " + next);
        }
      }
    }
  }

  @Test
  void withZeroRetentionFromNowAndSnapshotThenTailStillWork() {
    try (Store store = Store.open(dir, smallWal().changeRetention(0, null).build())) {
      long last = write(store, 1, 301);
      store.compact();
      try (ChangeCursor fromNow = store.changes(ChangeQuery.fromNow());
          ChangeCursor snapshot = store.changes(ChangeQuery.snapshotThenTail())) {
        store.put("new", "1");
        assertEquals(List.of(put(last + 1, "new", "1")), readThrough(fromNow, last + 1, READ_LIMIT));
        List<Change> all = readThrough(snapshot, last + 1, READ_LIMIT);
        assertEquals(300 + 1, all.size(), "300 live keys, then the tail: " + describe(all));
        assertEquals(put(last + 1, "new", "1"), all.get(all.size() - 1));
      }
    }
  }

  @Test
  void historyOlderThanTheAgeLimitIsDeletedAtTheNextFlush() throws Exception {
    try (Store store = Store.open(dir, smallWal().changeRetention(Long.MAX_VALUE, Duration.ofMillis(1)).build())) {
      long firstGeneration = writeTwoFlushedGenerationsApart(store);
      long last = write(store, 21, 26);
      ChangeHistoryLostException lost = assertThrows(ChangeHistoryLostException.class,
          () -> store.changes(ChangeQuery.after(0)).close());
      assertTrue(lost.oldestAvailable() > firstGeneration, "history up to " + firstGeneration
          + " is older than 1 ms but still available from " + lost.oldestAvailable());
      assertOldestAvailableIsExact(store, lost.oldestAvailable(), last);
    }
  }

  @Test
  void historyYoungerThanTheAgeLimitIsKept() throws Exception {
    try (Store store = Store.open(dir, smallWal().changeRetention(Long.MAX_VALUE, Duration.ofHours(1)).build())) {
      writeTwoFlushedGenerationsApart(store);
      long last = write(store, 21, 26);
      assertOldestAvailableIsExact(store, 1, last);
    }
  }

  /**
   * Writes a generation and flushes it with compact(), waits 50 ms, then writes and flushes a
   * second one (whose flush applies retention); returns the last sequence of the first generation.
   */
  private static long writeTwoFlushedGenerationsApart(Store store) throws InterruptedException {
    long first = write(store, 1, 11);
    store.compact();
    Thread.sleep(50);
    write(store, 11, 21);
    store.compact();
    return first;
  }

  @Test
  void defaultRetentionKeepsSeveralMegabytesOfHistoryAcrossReopens() {
    Path storeDir = dir.resolve("defaults");
    long last = 0;
    for (int reopen = 0; reopen < 3; reopen++) {
      try (Store store = Store.open(storeDir)) {
        assertEquals(last, store.lastSequence());
        long start = last + 1;
        for (long n = start; n < start + 2000; n++) { // 2 MB per open: each close flushes its WAL into a segment
          last = store.put("k" + (n % 500), value(n));
        }
      }
    }
    try (Store store = Store.open(storeDir);
        ChangeCursor cursor = store.changes(ChangeQuery.after(0))) {
      assertTrue(store.stats().segments() > 0, "no WAL was flushed into a segment: history was not tested");
      List<Change> all = readThrough(cursor, last, READ_LIMIT);
      assertEquals(last, all.size(), "after(0) must read all " + last + " commits after reopens");
      for (int j = 0; j < all.size(); j++) {
        long s = j + 1;
        assertEquals(put(s, "k" + (s % 500), value(s)), all.get(j));
      }
    }
  }
}
