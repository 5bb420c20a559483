package dev.cairn.store.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.store.Store;
import dev.cairn.store.internal.engine.StoreEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Regression: opening a store in a directory that does not exist creates it, and must make its
 * entry (and that of every parent it creates) durable before acknowledging writes into it.
 * Before the fix, a power loss that forgot unsynced directory entries took the whole new store,
 * with its acknowledged SYNC writes, with it.
 */
class StoreDirectoryDurabilityTest {
  @Test
  void aNewStoreDirectorySurvivesForgottenDirectoryEntries() throws Exception {
    MemoryVfs vfs = new MemoryVfs();
    Path dir = Path.of("/data/stores/new-store");
    try (Store store = StoreEngine.open(dir, Workload.syncOptions().build(), vfs)) {
      store.put("k".getBytes(), "acknowledged".getBytes());
    }
    MemoryVfs image = vfs.crashImage(CrashMode.FORGET_UNSYNCED_DIR_ENTRIES, new Random(1));
    try (Store recovered = StoreEngine.open(dir, Workload.syncOptions().build(), image)) {
      assertArrayEquals("acknowledged".getBytes(), recovered.get("k".getBytes()));
    }

    List<String> operations = vfs.operationLog();
    assertEquals(List.of("createDirectories new-store", "syncDirectory /", "syncDirectory data",
        "syncDirectory stores"), operations.subList(0, 4), "each created directory's parent is synced, top down");
  }

  @Test
  void anExistingStoreDirectoryIsNotSyncedAgainOnOpen() throws Exception {
    MemoryVfs vfs = new MemoryVfs();
    vfs.createDirectories(Path.of("/existing"));
    vfs.syncDirectory(Path.of("/"));
    StoreEngine.open(Path.of("/existing"), Workload.syncOptions().build(), vfs).close();
    assertEquals("createDirectories existing", vfs.operationLog().get(2));
    assertEquals("create 00000000000000000001.wal", vfs.operationLog().get(3));
  }
}
