package dev.cairn.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.internal.engine.StoreEngine;
import dev.cairn.store.internal.fs.NioVfs;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed fsync latches the store: later writes fail, nothing is retried, a reopen recovers. */
class FailedFsyncTest {
  @TempDir
  Path dir;

  /** The real file system, whose file fsyncs fail while {@link #failSyncs} is set. */
  static final class FailingSyncVfs implements Vfs {
    final Vfs real = new NioVfs();
    final AtomicBoolean failSyncs = new AtomicBoolean();

    @Override
    public VfsFile open(Path file) throws IOException {
      return wrap(real.open(file));
    }

    @Override
    public VfsFile create(Path file) throws IOException {
      return wrap(real.create(file));
    }

    private VfsFile wrap(VfsFile f) {
      return new VfsFile() {
        @Override
        public void read(long fileOffset, byte[] dst, int dstOffset, int length) throws IOException {
          f.read(fileOffset, dst, dstOffset, length);
        }

        @Override
        public void append(byte[] src, int srcOffset, int length) throws IOException {
          f.append(src, srcOffset, length);
        }

        @Override
        public long size() throws IOException {
          return f.size();
        }

        @Override
        public void sync() throws IOException {
          if (failSyncs.get()) {
            throw new IOException("injected fsync failure");
          }
          f.sync();
        }

        @Override
        public void truncate(long byteCount) throws IOException {
          f.truncate(byteCount);
        }

        @Override
        public void close() throws IOException {
          f.close();
        }
      };
    }

    @Override
    public List<String> list(Path d) throws IOException {
      return real.list(d);
    }

    @Override
    public boolean exists(Path file) {
      return real.exists(file);
    }

    @Override
    public long size(Path file) throws IOException {
      return real.size(file);
    }

    @Override
    public void createDirectories(Path d) throws IOException {
      real.createDirectories(d);
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
      real.rename(source, target);
    }

    @Override
    public void delete(Path file) throws IOException {
      real.delete(file);
    }

    @Override
    public void syncDirectory(Path d) throws IOException {
      real.syncDirectory(d);
    }

    @Override
    public Closeable tryLock(Path lockFile) throws IOException {
      return real.tryLock(lockFile);
    }
  }

  @Test
  void failedFsyncFailsTheWriteAndEveryLaterWrite_readsGoOn_reopenRecovers() {
    FailingSyncVfs vfs = new FailingSyncVfs();
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
    FailingSyncVfs vfs = new FailingSyncVfs();
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
