package dev.cairn.store.internal.fuzz;

import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A file system held in memory, for feeding fuzzer bytes to the readers without touching the disk.
 * Files are byte arrays keyed by path; every write is durable at once, so {@code sync} and {@code
 * syncDirectory} have nothing to do. Directories exist implicitly. Thread-safe; one instance per
 * fuzz execution is cheap.
 */
public final class MemoryVfs implements Vfs {
  private final Map<Path, MemoryFile> files = new ConcurrentHashMap<>();
  private final Map<Path, Boolean> locks = new ConcurrentHashMap<>();

  /** A file system holding one file at {@code path} with {@code contents} (not copied). */
  public static MemoryVfs of(Path path, byte[] contents) {
    MemoryVfs vfs = new MemoryVfs();
    vfs.files.put(path, new MemoryFile(contents));
    return vfs;
  }

  /** The current contents of {@code path}. */
  public byte[] contents(Path path) throws NoSuchFileException {
    return file(path).snapshot();
  }

  @Override
  public VfsFile open(Path path) throws IOException {
    return file(path);
  }

  @Override
  public VfsFile create(Path path) throws IOException {
    MemoryFile created = new MemoryFile(new byte[0]);
    if (files.putIfAbsent(path, created) != null) {
      throw new FileAlreadyExistsException(path.toString());
    }
    return created;
  }

  @Override
  public List<String> list(Path dir) {
    List<String> names = new ArrayList<>();
    for (Path p : files.keySet()) {
      if (dir.equals(p.getParent())) {
        names.add(p.getFileName().toString());
      }
    }
    return names;
  }

  @Override
  public boolean exists(Path path) {
    return files.containsKey(path);
  }

  @Override
  public long size(Path path) throws IOException {
    return file(path).size();
  }

  @Override
  public void createDirectories(Path dir) {}

  @Override
  public void rename(Path source, Path target) throws IOException {
    MemoryFile moved = files.remove(source);
    if (moved == null) {
      throw new NoSuchFileException(source.toString());
    }
    files.put(target, moved);
  }

  @Override
  public void delete(Path path) {
    files.remove(path);
  }

  @Override
  public void syncDirectory(Path dir) {}

  @Override
  public Closeable tryLock(Path lockFile) {
    if (locks.putIfAbsent(lockFile, Boolean.TRUE) != null) {
      return null;
    }
    return () -> locks.remove(lockFile);
  }

  private MemoryFile file(Path path) throws NoSuchFileException {
    MemoryFile f = files.get(path);
    if (f == null) {
      throw new NoSuchFileException(path.toString());
    }
    return f;
  }

  /** One in-memory file: a byte array that grows on append. */
  private static final class MemoryFile implements VfsFile {
    private byte[] bytes;
    private int size;

    MemoryFile(byte[] bytes) {
      this.bytes = bytes;
      this.size = bytes.length;
    }

    synchronized byte[] snapshot() {
      return Arrays.copyOf(bytes, size);
    }

    @Override
    public synchronized void read(long fileOffset, byte[] dst, int dstOffset, int length) throws IOException {
      if (fileOffset < 0 || length < 0) {
        throw new IllegalArgumentException("read of " + length + " bytes at " + fileOffset);
      }
      if (fileOffset + length > size) {
        throw new EOFException("read of " + length + " bytes at " + fileOffset + " past the end " + size);
      }
      System.arraycopy(bytes, (int) fileOffset, dst, dstOffset, length);
    }

    @Override
    public synchronized void append(byte[] src, int srcOffset, int length) {
      if (size + length > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(size + length, bytes.length * 2));
      }
      System.arraycopy(src, srcOffset, bytes, size, length);
      size += length;
    }

    @Override
    public synchronized long size() {
      return size;
    }

    @Override
    public void sync() {}

    @Override
    public synchronized void truncate(long byteCount) {
      if (byteCount < size) {
        size = (int) byteCount;
      }
    }

    @Override
    public void close() {}
  }
}
