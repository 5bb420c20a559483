package dev.cairn.store.internal.wal;

import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Appends sealed records to one WAL file. Appends come from one thread at a time (the group-commit
 * leader); {@link #sync()} may run concurrently from the periodic-fsync thread, which the engine
 * orders against {@link #close()} with its own lock.
 */
public final class WalWriter implements AutoCloseable {
  private final long number;
  private final Path path;
  private final VfsFile file;
  private volatile long size;
  private volatile long syncedSize;

  private WalWriter(long number, Path path, VfsFile file, long size) {
    this.number = number;
    this.path = path;
    this.file = file;
    this.size = size;
    this.syncedSize = size;
  }

  /** Creates WAL file {@code number}: writes the header, fsyncs it and its directory. */
  public static WalWriter create(Vfs vfs, Path path, long number) throws IOException {
    VfsFile file = vfs.create(path);
    byte[] header = WalFormat.header();
    file.append(header, 0, header.length);
    file.sync();
    vfs.syncDirectory(path.getParent());
    return new WalWriter(number, path, file, header.length);
  }

  /** Opens an existing, recovered WAL file to append to it. */
  public static WalWriter reopen(Vfs vfs, Path path, long number) throws IOException {
    VfsFile file = vfs.open(path);
    return new WalWriter(number, path, file, file.size());
  }

  /** Appends {@code length} bytes of sealed records in one write. */
  public void append(byte[] bytes, int offset, int length) throws IOException {
    file.append(bytes, offset, length);
    size += length;
  }

  /** Fsyncs what was appended, if anything is unsynced. */
  public void sync() throws IOException {
    long target = size;
    if (syncedSize < target) {
      file.sync();
      syncedSize = target;
    }
  }

  public long number() {
    return number;
  }

  public Path path() {
    return path;
  }

  public long size() {
    return size;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
