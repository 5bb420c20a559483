package dev.cairn.store.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.WriteBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slow consumer costs the store no memory ({@link ChangeCursor}): a cursor opened with after(0)
 * that does not poll while 1,000,000 changes are committed must not make the heap grow with them,
 * and must then read all of them, in order, from the history on disk. Nor does an idle consumer:
 * polls that time out on a quiet store must leave nothing behind.
 *
 * <p>The changes carry about 110 MB of keys and values, so a cursor (or history) that buffered
 * them in memory would grow the heap by well over the 64 MiB allowed. The store itself is sized so
 * that its own memory stays small: 20,000 keys overwritten again and again, a 4 MiB WAL (values
 * not yet packed into a segment stay in memory), no block cache.
 */
class ChangeFeedMemoryTest {
  private static final int CHANGES = 1_000_000;
  private static final int BATCH = 1000;
  private static final int KEYS = 20_000;
  private static final long MAX_GROWTH_BYTES = 64L << 20;
  private static final long MAX_IDLE_POLLING_GROWTH_BYTES = 4L << 20;

  @TempDir Path dir;

  @Test
  void anIdleCursorOverAMillionChangesKeepsTheHeapBoundedThenReadsThemAllInOrder() throws Exception {
    StoreOptions options = StoreOptions.builder()
        .walRotateBytes(4L << 20)
        .blockCacheBytes(0)
        .changeRetention(1L << 30, null) // keep all ~120 MB of history
        .build();
    long started = System.nanoTime();
    try (Store store = Store.open(dir, options)) {
      ChangeCursor cursor = store.changes(ChangeQuery.after(0));
      long before = usedHeapAfterGc();
      WriteBatch batch = WriteBatch.create();
      for (int b = 0; b < CHANGES / BATCH; b++) {
        for (int j = 0; j < BATCH; j++) {
          int i = b * BATCH + j;
          batch.put(key(i), value(i));
        }
        assertEquals(b + 1, store.write(batch));
        batch.clear();
      }
      long after = usedHeapAfterGc();
      long growth = after - before;
      System.out.printf("heap growth with an idle cursor over 1M changes: %.1f MiB (%.1f -> %.1f MiB used), %d ms to write%n",
          growth / 1048576.0, before / 1048576.0, after / 1048576.0, (System.nanoTime() - started) / 1_000_000);
      assertTrue(growth < MAX_GROWTH_BYTES, "the heap grew by " + growth / 1048576 + " MiB over " + CHANGES
          + " changes an idle cursor has not read (at most " + (MAX_GROWTH_BYTES >> 20) + " MiB allowed)");

      long readStarted = System.nanoTime();
      long read = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (read < CHANGES) {
        if (System.nanoTime() > deadline) {
          fail("the cursor read only " + read + " of " + CHANGES + " changes in 60 s (position " + cursor.position() + ")");
        }
        List<Change> changes = cursor.poll(Duration.ofMillis(100));
        for (Change c : changes) {
          long sequence = read / BATCH + 1;
          if (c.sequence() != sequence || c.kind() != Change.Kind.PUT || !Arrays.equals(key((int) read), c.key())
              || !Arrays.equals(value((int) read), c.value())) {
            fail("change #" + read + " is " + FeedTesting.describe(c) + ", expected sequence " + sequence + " PUT "
                + new String(key((int) read)));
          }
          read++;
        }
        if (!changes.isEmpty() && read % BATCH != 0) {
          fail("a poll ended inside a batch, after change #" + read);
        }
      }
      assertEquals(CHANGES / BATCH, cursor.position());
      assertEquals(List.of(), cursor.poll(Duration.ZERO));
      cursor.close();
      System.out.printf("the cursor then read %d changes in %d ms%n", read, (System.nanoTime() - readStarted) / 1_000_000);
    }
  }

  @Test
  void timedOutPollsOfIdleCursorsLeaveNothingBehindInTheHeap() throws Exception {
    int threads = 8;
    int pollsPerThread = 25_000;
    try (Store store = Store.open(dir)) {
      store.put("a", "1");
      List<ChangeCursor> cursors = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        cursors.add(store.changes(ChangeQuery.fromNow()));
      }
      pollEach(cursors, 1000); // warm-up
      long before = usedHeapAfterGc();
      long started = System.nanoTime();
      pollEach(cursors, pollsPerThread);
      long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
      long growth = usedHeapAfterGc() - before;
      System.out.printf("heap growth after %d timed-out polls of idle cursors: %.1f MiB (%d bytes a poll), %d ms%n",
          threads * pollsPerThread, growth / 1048576.0, growth / (threads * pollsPerThread), elapsedMillis);
      assertTrue(growth < MAX_IDLE_POLLING_GROWTH_BYTES, "the heap grew by " + growth / 1024 + " KiB over "
          + threads * pollsPerThread + " polls that timed out with nothing committed");
      for (ChangeCursor cursor : cursors) {
        cursor.close();
      }
    }
  }

  /** Polls each cursor {@code polls} times with a 20 µs time-out, each on a thread of its own. */
  private static void pollEach(List<ChangeCursor> cursors, int polls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(cursors.size());
    try {
      List<Future<?>> done = new ArrayList<>();
      for (ChangeCursor cursor : cursors) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < polls; i++) {
            assertEquals(List.of(), cursor.poll(Duration.ofNanos(20_000)));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] key(int i) {
    return FeedTesting.bytes(String.format("key-%05d", i % KEYS));
  }

  /** 96 bytes that name the change. */
  private static byte[] value(int i) {
    byte[] v = new byte[96];
    Arrays.fill(v, (byte) ('a' + i % 26));
    byte[] id = FeedTesting.bytes(Integer.toString(i));
    System.arraycopy(id, 0, v, 0, id.length);
    return v;
  }

  /**
   * Used heap after full collections: System.gc() until two samples in a row agree within 1 MiB
   * (so that the cleanup of an earlier test, still running on a store thread, is over), the least.
   */
  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime runtime = Runtime.getRuntime();
    long least = Long.MAX_VALUE;
    long previous = -1;
    for (int i = 0; i < 30; i++) {
      System.gc();
      Thread.sleep(100);
      long used = runtime.totalMemory() - runtime.freeMemory();
      least = Math.min(least, used);
      if (i >= 3 && Math.abs(used - previous) < (1 << 20)) {
        break;
      }
      previous = used;
    }
    return least;
  }
}
