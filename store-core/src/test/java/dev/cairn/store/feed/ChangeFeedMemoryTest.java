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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slow consumer costs the store no memory ({@link ChangeCursor}): a cursor opened with after(0)
 * that does not poll while 1,000,000 changes are committed must not make the heap grow with them,
 * and must then read all of them, in order, from the history on disk.
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

  /** Used heap after full collections: the least of a few samples, each after System.gc(). */
  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime runtime = Runtime.getRuntime();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
      least = Math.min(least, runtime.totalMemory() - runtime.freeMemory());
    }
    return least;
  }
}
