package dev.cairn.store.internal.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link Vfs} that hands every call to another one; subclasses override what they observe or
 * change (counting fsyncs, injecting faults). Files are wrapped by {@link #wrap(VfsFile)}, which
 * returns them unchanged unless overridden. Thread-safe if the delegate is.
 */
public abstract class ForwardingVfs implements Vfs {
  protected final Vfs delegate;

  protected ForwardingVfs(Vfs delegate) {
    this.delegate = delegate;
  }

  /** Wraps a file opened or created through this file system. */
  protected VfsFile wrap(VfsFile file) {
    return file;
  }

  @Override
  public VfsFile open(Path file) throws IOException {
    return wrap(delegate.open(file));
  }

  @Override
  public VfsFile create(Path file) throws IOException {
    return wrap(delegate.create(file));
  }

  @Override
  public VfsFile createMapped(Path file) throws IOException {
    return wrap(delegate.createMapped(file));
  }

  @Override
  public VfsFile openMapped(Path file) throws IOException {
    return wrap(delegate.openMapped(file));
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
  }

  @Override
  public Closeable tryLock(Path lockFile) throws IOException {
    return delegate.tryLock(lockFile);
  }

  /** A {@link VfsFile} that hands every call to another one. */
  public static class ForwardingFile implements VfsFile {
    protected final VfsFile file;

    public ForwardingFile(VfsFile file) {
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
