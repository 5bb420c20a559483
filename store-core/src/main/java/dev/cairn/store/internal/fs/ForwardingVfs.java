package dev.cairn.store.internal.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link Vfs} that hands every call to another one; subclasses override what they observe or
 * change (counting fsyncs, injecting faults). Every way of opening a file ({@link #open}, {@link
 * #create}, {@link #openMapped}, {@link #createMapped}, {@link #openPreallocated}, {@link
 * #createPreallocated}) goes through {@link #openFile}, so a
 * subclass that watches or fails openings overrides that one method and sees them all. Files are
 * wrapped by {@link #wrap(VfsFile)}, which returns them unchanged unless overridden. Thread-safe if
 * the delegate is.
 */
public abstract class ForwardingVfs implements Vfs {
  /** How a file is being opened: the {@link Vfs} method called. */
  protected enum Opening {
    OPEN, CREATE, OPEN_MAPPED, CREATE_MAPPED, OPEN_PREALLOCATED, CREATE_PREALLOCATED;

    /** Whether the file is being created rather than opened. */
    public boolean creates() {
      return this == CREATE || this == CREATE_MAPPED || this == CREATE_PREALLOCATED;
    }
  }

  protected final Vfs delegate;

  protected ForwardingVfs(Vfs delegate) {
    this.delegate = delegate;
  }

  /** Wraps a file opened or created through this file system. */
  protected VfsFile wrap(VfsFile file) {
    return file;
  }

  /** Opens or creates {@code file} through the delegate as {@code how} says, and {@link #wrap}s it. */
  protected VfsFile openFile(Path file, Opening how) throws IOException {
    VfsFile f = switch (how) {
      case OPEN -> delegate.open(file);
      case CREATE -> delegate.create(file);
      case OPEN_MAPPED -> delegate.openMapped(file);
      case CREATE_MAPPED -> delegate.createMapped(file);
      case OPEN_PREALLOCATED -> delegate.openPreallocated(file);
      case CREATE_PREALLOCATED -> delegate.createPreallocated(file);
    };
    return wrap(f);
  }

  @Override
  public final VfsFile open(Path file) throws IOException {
    return openFile(file, Opening.OPEN);
  }

  @Override
  public final VfsFile create(Path file) throws IOException {
    return openFile(file, Opening.CREATE);
  }

  @Override
  public final VfsFile createMapped(Path file) throws IOException {
    return openFile(file, Opening.CREATE_MAPPED);
  }

  @Override
  public final VfsFile openMapped(Path file) throws IOException {
    return openFile(file, Opening.OPEN_MAPPED);
  }

  @Override
  public final VfsFile createPreallocated(Path file) throws IOException {
    return openFile(file, Opening.CREATE_PREALLOCATED);
  }

  @Override
  public final VfsFile openPreallocated(Path file) throws IOException {
    return openFile(file, Opening.OPEN_PREALLOCATED);
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
