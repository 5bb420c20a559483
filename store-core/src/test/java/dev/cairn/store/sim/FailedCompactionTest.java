package dev.cairn.store.sim;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Store;
import dev.cairn.store.StoreException;
import dev.cairn.store.StoreFailedException;
import dev.cairn.store.internal.engine.StoreEngine;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Regression: when the compaction that {@code compact()} waits for fails with an I/O error, the
 * caller gets the store's classified exception ({@link StoreFailedException}: the store latched),
 * not a {@code java.util.concurrent.CompletionException} wrapping it (the crash-point suite saw
 * that unclassified exception).
 */
class FailedCompactionTest {
  @Test
  void anIoFailureDuringCompactReachesTheCallerAsStoreFailed() {
    MemoryVfs vfs = new MemoryVfs();
    Store store = StoreEngine.open(Path.of("/compacting-store"), Workload.syncOptions().build(), vfs);
    try {
      for (int i = 0; i < 20; i++) {
        store.put(Workload.key("c", i % 4).getBytes(), Workload.value(i, 100)); // overwrites: garbage
      }
      store.compact();
      for (int i = 0; i < 20; i++) {
        store.put(Workload.key("c", i % 4).getBytes(), Workload.value(i + 20, 100));
      }
      vfs.crashAtOperation(vfs.operationCount() + 1);
      StoreException failure = assertThrows(StoreException.class, store::compact);
      assertTrue(failure instanceof StoreFailedException, failure.toString());
      assertTrue(String.valueOf(vfs.crashReport()).startsWith("simulated crash"), vfs.crashReport());
    } finally {
      try {
        store.close();
      } catch (StoreException ignored) {
        // the store has failed
      }
    }
  }
}
