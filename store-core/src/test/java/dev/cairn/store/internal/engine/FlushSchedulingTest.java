package dev.cairn.store.internal.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.checkpoint.CheckpointFormat;
import dev.cairn.store.internal.fs.ForwardingVfs;
import dev.cairn.store.internal.fs.NioVfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.recovery.FlushGateVfs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the maintenance thread orders its work when writes outrun it: WAL files handed over while a
 * flush runs are flushed together, and a merge of the index that falls due during a flush runs
 * during it, not after.
 */
class FlushSchedulingTest {
  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

  @TempDir Path dir;

  @Test
  void walFilesHandedOverWhileAFlushIsHeldAreFlushedTogetherAsOneSegment() throws Exception {
    FlushGateVfs vfs = new FlushGateVfs();
    StoreOptions options = StoreOptions.builder().walRotateBytes(64 << 10).backgroundCompaction(false).build();
    int keys = 200; // about 200 KB of WAL: three rotations
    try (Store store = StoreEngine.open(dir, options, vfs)) {
      StoreEngine engine = (StoreEngine) store;
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < keys; i++) {
            store.put(key(i), value(i));
          }
        } catch (Throwable t) {
          failure.set(t);
        }
      });
      writer.start();
      // The first flush is held at its segment's creation; the next two WAL files wait behind it
      // (and the writer waits for the flushes to catch up).
      awaitTrue(() -> engine.maintenance().pendingFlushes() == 3, "three WAL files handed over");
      assertEquals(1, vfs.segmentsCreated());
      vfs.open();
      writer.join(TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NANOS));
      assertEquals(null, failure.get());
      awaitTrue(() -> engine.maintenance().pendingFlushes() == 0, "every flush done");
      assertEquals(2, store.stats().segments(), "the first WAL file's segment, and one for the next two");
    }
    try (Store reopened = Store.open(dir, options)) {
      for (int i = 0; i < keys; i++) {
        assertArrayEquals(value(i), reopened.get(key(i)), "key " + i);
      }
    }
  }

  @Test
  void mergeThatFallsDueDuringAFlushRunsBeforeTheFlushEnds() throws Exception {
    // The flush is held where it creates its segment, after it has looked up the values to write
    // and before it writes them. Its appends (the segment's header, then the buffered blocks and
    // the footer at the end) each come 500 ms late, so the flush ends at least that long after its
    // last key: a merge made due while it is held must run between its keys, or wait for its end.
    FlushGateVfs vfs = new FlushGateVfs();
    vfs.slowSegmentAppends(500);
    StoreOptions options = StoreOptions.builder().walRotateBytes(64 << 10).backgroundCompaction(false).build();
    try (Store store = StoreEngine.open(dir, options, vfs)) {
      StoreEngine engine = (StoreEngine) store;
      byte[] value = new byte[600];
      int i = 0;
      while (vfs.segmentsCreated() == 0) {
        store.put(key(i++), value);
        assertTrue(i < 10_000, "no flush started");
      }
      // Small writes into the next WAL file until the index's active map is due for a merge.
      int small = 0;
      while (!engine.index().wantsMerge()) {
        store.put(("small-" + small++).getBytes(UTF_8), new byte[8]);
      }
      assertEquals(0, store.stats().segments(), "the flush is held");
      vfs.open();
      awaitTrue(() -> !engine.index().wantsMerge() || store.stats().segments() > 0, "merged or flushed");
      assertEquals(0, store.stats().segments(), "the merge waited for the flush to end");
      vfs.slowSegmentAppends(0);
      awaitTrue(() -> store.stats().segments() == 1, "the flush done");
    }
  }

  @Test
  void generationsJoinInOrderAndOutOfOrderOnesAreRefused() {
    Generation first = new Generation(3, 3, 10, List.of(key(1), key(2)));
    Generation second = new Generation(5, 7, 25, List.of(key(2), key(3)));
    Generation joined = Generation.joined(List.of(first, second));
    assertEquals(3, joined.walFrom());
    assertEquals(7, joined.walTo());
    assertEquals(25, joined.lastSequence());
    assertEquals(4, joined.keys().size());
    assertTrue(Generation.joined(List.of(first)) == first);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Generation.joined(List.of(second, first)));
    assertTrue(e.getMessage().contains("3..3"), e.getMessage());
  }

  private static byte[] value(int i) {
    byte[] value = new byte[1000];
    value[0] = (byte) i;
    value[999] = (byte) (i >> 8);
    return value;
  }

  private static byte[] key(int i) {
    return String.format("key-%06d", i).getBytes(UTF_8);
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    while (!condition.getAsBoolean()) {
      assertFalse(System.nanoTime() > deadline, "timed out waiting: " + what);
      Thread.sleep(1);
    }
  }
}
