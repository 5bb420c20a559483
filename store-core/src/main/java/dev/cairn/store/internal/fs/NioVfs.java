package dev.cairn.store.internal.fs;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The real file system. Files are written through {@link RandomAccessFile}s, whose writes and
 * {@code FileDescriptor.sync()} are not interruptible, unlike {@code FileChannel}, which a thread
 * interrupt closes for every thread. They are read through a {@link ReadChannel}, concurrent
 * positional reads that survive interrupts. Directory syncs open a short-lived channel of their
 * own, so an interrupt there fails only that call.
 */
public final class NioVfs implements Vfs {
  /** Lock files held by this JVM: {@link FileChannel#tryLock()} alone only excludes other processes. */
  private static final Set<Path> HELD_LOCKS = ConcurrentHashMap.newKeySet();

  private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

  @Override
  public VfsFile open(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString());
    }
    return new NioFile(file, new RandomAccessFile(file.toFile(), "rw"));
  }

  @Override
  public VfsFile create(Path file) throws IOException {
    Files.createFile(file);
    return new NioFile(file, new RandomAccessFile(file.toFile(), "rw"));
  }

  /** A mapped {@link PreallocatedFile}, except on Windows, where a mapped file cannot be truncated or deleted. */
  @Override
  public VfsFile createMapped(Path file) throws IOException {
    return createLog(file, true);
  }

  @Override
  public VfsFile openMapped(Path file) throws IOException {
    return openLog(file, true);
  }

  /** A positional {@link PreallocatedFile}, except on Windows (where the file is not preallocated). */
  @Override
  public VfsFile createPreallocated(Path file) throws IOException {
    return createLog(file, false);
  }

  @Override
  public VfsFile openPreallocated(Path file) throws IOException {
    return openLog(file, false);
  }

  private VfsFile createLog(Path file, boolean mapped) throws IOException {
    if (WINDOWS) {
      return create(file);
    }
    Files.createFile(file);
    return new PreallocatedFile(file, mapped);
  }

  private VfsFile openLog(Path file, boolean mapped) throws IOException {
    if (WINDOWS) {
      return open(file);
    }
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString());
    }
    return new PreallocatedFile(file, mapped);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dir)) {
      entries.forEach(p -> names.add(p.getFileName().toString()));
    }
    return names;
  }

  @Override
  public boolean exists(Path file) {
    return Files.exists(file);
  }

  @Override
  public long size(Path file) throws IOException {
    return Files.size(file);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void delete(Path file) throws IOException {
    Files.deleteIfExists(file);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    if (WINDOWS) {
      return; // a directory cannot be opened there, and renames are durable on their own
    }
    PrivateChannel.runOnce(dir, channel -> {
      channel.force(true);
      return null;
    }, StandardOpenOption.READ);
  }

  @Override
  public Closeable tryLock(Path lockFile) throws IOException {
    Path key = lockFile.toAbsolutePath().normalize();
    if (!HELD_LOCKS.add(key)) {
      return null;
    }
    boolean locked = false;
    FileChannel channel = null;
    try {
      channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        return null;
      }
      locked = true;
      FileChannel held = channel;
      return () -> {
        try {
          held.close();
        } finally {
          HELD_LOCKS.remove(key);
        }
      };
    } finally {
      if (!locked) {
        if (channel != null) {
          channel.close();
        }
        HELD_LOCKS.remove(key);
      }
    }
  }

  /**
   * Appends, syncs and truncation through a {@link RandomAccessFile}, under one lock that orders
   * seek-and-transfer pairs; reads through a {@link ReadChannel}, beside them and each other (or
   * through the {@code RandomAccessFile}, if the channel cannot be reopened after an interrupt).
   */
  private static final class NioFile implements VfsFile {
    private final RandomAccessFile file;
    private final ReadChannel reads;
    private long end; // guarded by file
    private long pointer; // the file pointer of file; guarded by file

    NioFile(Path path, RandomAccessFile file) throws IOException {
      this.file = file;
      try {
        this.end = file.length();
        this.reads = new ReadChannel(path);
      } catch (IOException | RuntimeException e) {
        file.close();
        throw e;
      }
    }

    /** Moves the file pointer, skipping the system call when it is already there (appends in a row). */
    private void seek(long offset) throws IOException {
      if (pointer != offset) {
        file.seek(offset);
        pointer = offset;
      }
    }

    @Override
    public void read(long fileOffset, byte[] dst, int dstOffset, int length) throws IOException {
      if (reads.read(fileOffset, dst, dstOffset, length)) {
        return;
      }
      synchronized (file) { // the file was deleted or replaced after an interrupt closed the channel
        seek(fileOffset);
        pointer = -1; // a short read leaves the pointer anywhere
        file.readFully(dst, dstOffset, length);
        pointer = fileOffset + length;
      }
    }

    @Override
    public void append(byte[] src, int srcOffset, int length) throws IOException {
      synchronized (file) {
        seek(end);
        pointer = -1; // a failed write leaves the pointer anywhere
        file.write(src, srcOffset, length);
        end += length;
        pointer = end;
      }
    }

    @Override
    public long size() throws IOException {
      return file.length(); // not the cached end: another handle may have appended since this one opened
    }

    @Override
    public void sync() throws IOException {
      file.getFD().sync();
    }

    @Override
    public void truncate(long byteCount) throws IOException {
      synchronized (file) {
        file.setLength(byteCount);
        end = byteCount;
        pointer = -1;
      }
    }

    @Override
    public void close() throws IOException {
      try {
        reads.close();
      } finally {
        file.close();
      }
    }
  }
}
