package dev.cairn.store.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that stops taking writes merges its index's active map into the base run (so point reads
 * search one sorted run), and one that keeps writing does not.
 */
class IdleMergeTest {
  @TempDir Path dir;

  @Test
  void storeThatStopsWritingMergesItsActiveMap_andOneThatKeepsWritingDoesNot() throws Exception {
    try (Store store = Store.open(dir, StoreOptions.builder().build())) {
      StoreEngine engine = (StoreEngine) store;
      for (int i = 0; i < 200; i++) {
        store.put("key-" + i, "value-" + i);
      }
      assertTrue(engine.index().wantsIdleMerge(), "200 writes are enough for an idle merge");
      assertFalse(engine.index().wantsMerge(), "and too few for a regular one");

      // Writes every 20 ms leave no 250 ms check period without a commit, unless the machine
      // stalls this thread that long: then the check is void, not failed.
      long busyUntil = System.nanoTime() + 3_500_000_000L;
      long previousPut = System.nanoTime();
      long longestGap = 0;
      for (int i = 0; System.nanoTime() < busyUntil; i++) {
        store.put("busy-" + i, "value");
        long now = System.nanoTime();
        longestGap = Math.max(longestGap, now - previousPut);
        previousPut = now;
        if (longestGap < 200_000_000L) {
          assertTrue(engine.index().wantsIdleMerge(), "merged while writes kept coming");
        }
        Thread.sleep(20);
      }

      long deadline = System.nanoTime() + 10_000_000_000L;
      while (engine.index().wantsIdleMerge() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertFalse(engine.index().wantsIdleMerge(), "no merge 10 s after the last write");
      for (int i = 0; i < 200; i++) {
        assertEquals("value-" + i, store.get("key-" + i));
      }
    }
  }
}
