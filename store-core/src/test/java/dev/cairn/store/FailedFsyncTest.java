package dev.cairn.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.internal.engine.StoreEngine;
import dev.cairn.store.internal.fs.NioVfs;
import dev.cairn.store.sim.FailingSyncVfs;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed fsync latches the store: later writes fail, nothing is retried, a reopen recovers. */
class FailedFsyncTest {
  @TempDir
  Path dir;

  @Test
  void failedFsyncFailsTheWriteAndEveryLaterWrite_readsGoOn_reopenRecovers() {
    FailingSyncVfs vfs = new FailingSyncVfs(new NioVfs());
    StoreOptions sync = StoreOptions.builder().durability(Durability.SYNC).build();
    Store store = StoreEngine.open(dir, sync, vfs);
    store.put("before", "1");
    vfs.failSyncs.set(true);
    StoreFailedException first = assertThrows(StoreFailedException.class, () -> store.put("during", "2"));
    assertTrue(first.getMessage().contains("WAL"), first.getMessage());
    vfs.failSyncs.set(false);
    assertThrows(StoreFailedException.class, () -> store.put("after", "3"), "latched: no silent retry");
    assertThrows(StoreFailedException.class, () -> store.delete("before"));
    assertEquals("1", store.get("before"), "reads keep working");
    store.close();
    try (Store reopened = Store.open(dir, sync)) {
      assertEquals("1", reopened.get("before"));
      assertEquals(null, reopened.get("after"));
      reopened.put("after", "3");
      assertEquals("3", reopened.get("after"));
    }
  }

  @Test
  void failedPeriodicFsyncLatchesTheStoreAndFlushReportsIt() {
    FailingSyncVfs vfs = new FailingSyncVfs(new NioVfs());
    Store store = StoreEngine.open(dir, StoreOptions.defaults(), vfs);
    store.put("a", "1");
    vfs.failSyncs.set(true);
    assertThrows(StoreFailedException.class, store::flush);
    vfs.failSyncs.set(false);
    assertThrows(StoreFailedException.class, () -> store.put("b", "2"));
    store.close();
    try (Store reopened = Store.open(dir)) {
      assertEquals("1", reopened.get("a"), "acknowledged before the failure, and in the OS: recovered");
    }
  }
}
