package dev.cairn.store.internal.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Vfs} that counts the fsyncs (file and directory) made through it, for {@code StoreStats}. Thread-safe. */
public final class CountingVfs extends ForwardingVfs {
  private final AtomicLong syncs = new AtomicLong();

  public CountingVfs(Vfs delegate) {
    super(delegate);
  }

  /** File and directory fsyncs made so far. */
  public long syncCount() {
    return syncs.get();
  }

  @Override
  protected VfsFile wrap(VfsFile file) {
    return new ForwardingFile(file) {
      @Override
      public void sync() throws IOException {
        super.sync();
        syncs.incrementAndGet();
      }
    };
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    super.syncDirectory(dir);
    syncs.incrementAndGet();
  }
}
