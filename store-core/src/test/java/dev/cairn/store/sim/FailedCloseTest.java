package dev.cairn.store.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Durability;
import dev.cairn.store.Store;
import dev.cairn.store.StoreException;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.engine.StoreEngine;
import java.io.Closeable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: when the WAL fsync that {@code close()} makes fails, close must still stop the
 * store's threads and release its directory, then report the failure. Before the fix it threw
 * first and left the maintenance thread running and the directory locked (the crash-point suite
 * found the thread).
 */
class FailedCloseTest {
  private static final Path DIR = Path.of("/closing-store");

  @Test
  void aFailedFsyncAtCloseStillStopsThreadsAndReleasesTheDirectory() throws Exception {
    MemoryVfs vfs = new MemoryVfs();
    StoreOptions periodic = Workload.syncOptions().durability(Durability.periodic(Duration.ofHours(1))).build();
    Store store = StoreEngine.open(DIR, periodic, vfs);
    store.put("k".getBytes(), "unsynced".getBytes());
    vfs.crashAtOperation(vfs.operationCount() + 1); // the fsync close() makes
    StoreException failure = assertThrows(StoreException.class, store::close);
    assertTrue(String.valueOf(vfs.crashReport()).contains("sync"), vfs.crashReport());
    assertTrue(failure.toString().contains("fsync"), failure.toString());

    assertEquals(List.of(), CrashPointChecker.storeThreads(DIR), "threads left by the closed store");
    Closeable lock = vfs.tryLock(DIR.resolve("LOCK"));
    assertNotNull(lock, "the directory is released");
    lock.close();
    store.close(); // idempotent: nothing more to report
  }
}
