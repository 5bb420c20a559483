package dev.cairn.store.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.segment.SegmentFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that stops taking writes with an eighth of {@code walRotateBytes} or more in its WAL
 * flushes them into a segment (reads then come from packed, compressed blocks instead of the
 * heap), and one with less keeps them in memory until more writes come.
 */
class IdleFlushTest {
  private static final int WAL_ROTATE_BYTES = 256 * 1024;

  @TempDir
  Path dir;

  private static StoreOptions options() {
    return StoreOptions.builder().walRotateBytes(WAL_ROTATE_BYTES).build();
  }

  private long segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(SegmentFormat.SUFFIX)).count();
    }
  }

  private static void put(Store store, int from, int to) {
    for (int i = from; i < to; i++) {
      store.put(String.format("key%05d", i), "value-" + i + "-" + "x".repeat(100));
    }
  }

  @Test
  void anIdleStoreWithAnEighthOfAWalOrMoreFlushesIt_thenReadsTheSameValues() throws Exception {
    try (Store store = Store.open(dir, options())) {
      put(store, 0, 600); // about 80 KiB of WAL records: over 32 KiB, under a rotation's 256 KiB
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (segmentFiles() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(1, segmentFiles(), "segments 10 s after the last write");
      for (int i = 0; i < 600; i++) {
        assertEquals("value-" + i + "-" + "x".repeat(100), store.get(String.format("key%05d", i)));
      }
    }
    try (Store store = Store.open(dir, options())) {
      assertEquals("value-599-" + "x".repeat(100), store.get("key00599"));
    }
  }

  @Test
  void anIdleStoreWithLessThanAnEighthOfAWalKeepsItInMemory() throws Exception {
    try (Store store = Store.open(dir, options())) {
      put(store, 0, 100); // about 13 KiB
      Thread.sleep(1500); // six idle checks
      assertEquals(0, segmentFiles(), "a few writes were flushed into a segment of their own");
      assertEquals("value-99-" + "x".repeat(100), store.get("key00099"));
    }
  }
}
