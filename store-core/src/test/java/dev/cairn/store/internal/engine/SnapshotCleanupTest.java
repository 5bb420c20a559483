package dev.cairn.store.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Cursor;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.segment.SegmentFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a scan or snapshot queues a maintenance pass only when there is something for it to
 * release: segments a compaction replaced while the scan could read them, or history kept for it.
 * Both are released once the scan closes; a store with neither takes no pass per scan.
 */
class SnapshotCleanupTest {
  @TempDir
  Path dir;

  private static StoreOptions options() {
    return StoreOptions.builder().changeRetention(0, null).build();
  }

  private static void fill(Store store, String suffix) {
    for (int i = 0; i < 1000; i++) {
      store.put(String.format("key%04d", i), "value-" + i + suffix);
    }
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(SegmentFormat.SUFFIX)).sorted().toList();
    }
  }

  private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  @Test
  void closingScansOfAStoreWithNothingToReleaseQueuesNoPass() {
    try (Store store = Store.open(dir, options())) {
      fill(store, "");
      store.compact(); // nothing replaced is left waiting, no history is kept
      Maintenance maintenance = ((StoreEngine) store).maintenance();
      long before = maintenance.scheduledCleanups();
      for (int i = 0; i < 200; i++) {
        try (Cursor cursor = store.scan(KeyRange.all())) {
          assertTrue(cursor.hasNext());
        }
      }
      store.snapshot().close();
      assertEquals(before, maintenance.scheduledCleanups(), "passes queued by closing scans");
    }
  }

  @Test
  void segmentsReplacedWhileAScanCouldReadThemAreDeletedOnceItCloses() throws Exception {
    try (Store store = Store.open(dir, options())) {
      fill(store, "");
      store.compact();
      fill(store, "-again"); // every value of the first segment is now garbage
      List<Path> replaced = segments();
      assertFalse(replaced.isEmpty(), "the first fill made no segment");
      Cursor cursor = store.scan(KeyRange.all());
      assertTrue(cursor.hasNext());
      store.compact(); // replaces the first fill's segments, which the open scan may read
      assertTrue(replaced.stream().allMatch(Files::exists), "a segment the open scan may read is gone");
      cursor.close();
      assertTrue(eventually(() -> replaced.stream().noneMatch(Files::exists)),
          "replaced segments still on disk 10 s after the scan closed: " + replaced);
    }
  }

  @Test
  void historyKeptForAScanIsTrimmedOnceItCloses() throws Exception {
    try (Store store = Store.open(dir, options())) {
      fill(store, "");
      StoreEngine engine = (StoreEngine) store;
      Cursor cursor = store.scan(KeyRange.all());
      assertTrue(cursor.hasNext());
      store.put("key0001", "overwritten while the scan is open");
      assertTrue(engine.index().holdsHistory(), "the scan's version of key0001 was not kept");
      cursor.close();
      assertTrue(eventually(() -> !engine.index().holdsHistory()), "history still kept 10 s after the scan closed");
      assertEquals("overwritten while the scan is open", store.get("key0001"));
    }
  }
}
