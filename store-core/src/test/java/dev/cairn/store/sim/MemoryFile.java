package dev.cairn.store.sim;

import dev.cairn.store.internal.fs.VfsFile;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An open handle on a {@link MemoryFileNode} of a {@link MemoryVfs}. It keeps working after the
 * file's name is deleted, like a POSIX descriptor; appends, syncs and truncations are operations of
 * its file system and fail once that has crashed. Thread-safe through the file system's lock.
 */
final class MemoryFile implements VfsFile {
  private final MemoryVfs fs;
  private final Path path;
  private final MemoryFileNode node;
  private boolean closed; // guarded by fs.lock

  MemoryFile(MemoryVfs fs, Path path, MemoryFileNode node) {
    this.fs = fs;
    this.path = path;
    this.node = node;
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException("closed: " + path);
    }
  }

  @Override
  public void read(long fileOffset, byte[] dst, int dstOffset, int length) throws IOException {
    synchronized (fs.lock) {
      checkOpen();
      if (!node.read(fileOffset, dst, dstOffset, length)) {
        throw new EOFException(path + ": " + length + " bytes at " + fileOffset + " pass the end at " + node.length());
      }
    }
  }

  @Override
  public void append(byte[] src, int srcOffset, int length) throws IOException {
    synchronized (fs.lock) {
      checkOpen();
      fs.operation("append", path);
      node.append(src, srcOffset, length);
    }
  }

  @Override
  public long size() throws IOException {
    synchronized (fs.lock) {
      checkOpen();
      return node.length();
    }
  }

  @Override
  public void sync() throws IOException {
    synchronized (fs.lock) {
      checkOpen();
      fs.operation("sync", path);
      node.sync();
    }
  }

  @Override
  public void truncate(long byteCount) throws IOException {
    synchronized (fs.lock) {
      checkOpen();
      fs.operation("truncate", path);
      node.truncate(byteCount);
    }
  }

  @Override
  public void close() {
    synchronized (fs.lock) {
      closed = true;
    }
  }
}
