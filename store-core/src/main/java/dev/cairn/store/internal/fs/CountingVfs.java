package dev.cairn.store.internal.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Vfs} that counts the fsyncs (file and directory) made through it, for {@code StoreStats}. Thread-safe. */
public final class CountingVfs implements Vfs {
  private final Vfs delegate;
  private final AtomicLong syncs = new AtomicLong();

  public CountingVfs(Vfs delegate) {
    this.delegate = delegate;
  }

  /** File and directory fsyncs made so far. */
  public long syncCount() {
    return syncs.get();
  }

  @Override
  public VfsFile open(Path file) throws IOException {
    return new CountingFile(delegate.open(file));
  }

  @Override
  public VfsFile create(Path file) throws IOException {
    return new CountingFile(delegate.create(file));
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    return delegate.list(dir);
  }

  @Override
  public boolean exists(Path file) {
    return delegate.exists(file);
  }

  @Override
  public long size(Path file) throws IOException {
    return delegate.size(file);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    delegate.createDirectories(dir);
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    delegate.rename(source, target);
  }

  @Override
  public void delete(Path file) throws IOException {
    delegate.delete(file);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    delegate.syncDirectory(dir);
    syncs.incrementAndGet();
  }

  @Override
  public Closeable tryLock(Path lockFile) throws IOException {
    return delegate.tryLock(lockFile);
  }

  private final class CountingFile implements VfsFile {
    private final VfsFile file;

    CountingFile(VfsFile file) {
      this.file = file;
    }

    @Override
    public void read(long fileOffset, byte[] dst, int dstOffset, int length) throws IOException {
      file.read(fileOffset, dst, dstOffset, length);
    }

    @Override
    public void append(byte[] src, int srcOffset, int length) throws IOException {
      file.append(src, srcOffset, length);
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public void sync() throws IOException {
      file.sync();
      syncs.incrementAndGet();
    }

    @Override
    public void truncate(long byteCount) throws IOException {
      file.truncate(byteCount);
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
