package dev.cairn.store.internal.fs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A file that is only appended to, into space preallocated ahead of the appends, for logs (the
 * WAL). It is written in one of two ways:
 * <ul>
 *   <li><b>mapped</b>: an append is a copy into mapped pages, with no system call, and is in the
 *       operating system's page cache (so it survives a crash of this process) when it returns.
 *       {@link #sync()} unmaps the windows that are full and fsyncs the file, or, if only the
 *       last window took appends, forces the pages appended to it since the last sync (msync, a
 *       data sync of their range).
 *   <li><b>positional</b>: an append is a write into the preallocated space. {@link #sync()} is
 *       an fdatasync.
 * </ul>
 * Either way, when the file's length changed since the last sync, {@link #sync()} also fsyncs
 * it. Otherwise it does not: overwriting allocated blocks changes no metadata that a read needs,
 * so a data sync need not commit the file system's journal. On ext4 a program that appended
 * 130-byte records measured about 1.35x as many syncs per second that way as with an fsync after
 * each append that grew the file.
 * Thread-safe: appends are serialized, reads and syncs may run beside them.
 *
 * <h2>The preallocated tail</h2>
 * The file grows in windows, each written full of zeros before it is used, so that the file
 * system has allocated its blocks (a full disk fails that write with an {@link IOException},
 * instead of faulting a later store into a map). A window is as long as the file before it, from
 * {@link #MIN_WINDOW_BYTES} to {@link #MAX_WINDOW_BYTES} ({@link #MAX_POSITIONAL_WINDOW_BYTES}
 * when positional: the sync after a new window writes the window's zeros out, and a commit that
 * waits for it should not wait for megabytes): a small file stays small. The file on
 * disk is therefore longer than {@link #size()} (the bytes appended) by a zero tail, until {@link
 * #truncate} or {@link #close()} cuts it off. After a crash the tail stays: a reader of such a
 * file must take a run of zeros to its end for its end.
 *
 * <p>A mapped file writes the zeros of its next window ahead of the appends, on a background
 * thread, as soon as it maps a window: then the appending thread only maps the next one when it
 * gets there. (In a fill of 1M 100-byte values, writing the zeros was a fifth of the appending
 * thread's time.) If the zeros are not all written by then, the appending thread writes the rest
 * itself; a background write that failed (a full disk) is thus met again, and reported, by the
 * append that needs the window.
 */
final class PreallocatedFile implements VfsFile {
  static final int MIN_WINDOW_BYTES = 64 * 1024;
  static final int MAX_WINDOW_BYTES = 4 << 20;
  static final int MAX_POSITIONAL_WINDOW_BYTES = 1 << 20;

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

  /**
   * Writes the zeros of mapped files' next windows: one daemon thread for every file in the
   * process, started on demand and ended when idle.
   */
  static final Executor BACKGROUND = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), task -> {
        Thread t = new Thread(task, "cairn-log-preallocator");
        t.setDaemon(true);
        return t;
      });

  /** A mapped range of the file: [{@code start}, {@code start + length}). */
  private record Window(MappedByteBuffer buffer, long start, int length) {
    long end() {
      return start + length;
    }
  }

  private final Path path;
  private final RandomAccessFile file;
  private final boolean mapped;
  /** Bytes appended: the logical size. Guarded by this. */
  private long end;
  /** Length of the file on disk, tail included. Written under growLock; read under it or under this. */
  private volatile long allocated;
  /**
   * Held while the file is extended with zeros (lock order: this, then growLock; the background
   * thread takes growLock alone).
   */
  private final Object growLock = new Object();
  /** Bumped by truncate and close, so that a window prepared for the file before them is not. Guarded by growLock. */
  private int growEpoch;
  /** The channel zeros are written through, positionally. Used under growLock. */
  private final PrivateChannel zeroChannel;
  /** Where a mapped file's next window is prepared. */
  private final Executor background;
  /** Mapped: every window mapped, in file order; appends go to the last. Unmapped at close. Guarded by this. */
  private final List<Window> windows = new ArrayList<>();
  /** Bytes known to be forced to disk; a sync forces the windows from here to the end. */
  private long synced; // guarded by syncLock
  /** The file's length on disk as of the last full fsync; -1 if not known to be durable. */
  private long syncedLength; // guarded by syncLock
  /** Syncs that were full fsyncs; for tests. */
  private int fullSyncs; // guarded by syncLock
  /** Positional: the channel fdatasync goes through. Used under syncLock. */
  private final PrivateChannel dataSyncChannel;
  private final Object syncLock = new Object();
  private boolean closed; // guarded by this

  /** Opens (or, if it does not exist, creates) {@code path}, to append to it {@code mapped} or by positional writes. */
  PreallocatedFile(Path path, boolean mapped) throws IOException {
    this(path, mapped, BACKGROUND);
  }

  /** As above; a mapped file prepares its next window on {@code background}. */
  PreallocatedFile(Path path, boolean mapped, Executor background) throws IOException {
    this.path = path;
    this.mapped = mapped;
    this.background = background;
    this.file = new RandomAccessFile(path.toFile(), "rw");
    this.end = file.length();
    this.allocated = end;
    this.synced = end;
    this.syncedLength = -1;
    this.dataSyncChannel = new PrivateChannel(path, StandardOpenOption.WRITE);
    this.zeroChannel = new PrivateChannel(path, StandardOpenOption.WRITE);
  }

  @Override
  public void read(long fileOffset, byte[] dst, int dstOffset, int length) throws IOException {
    synchronized (this) {
      if (fileOffset + length > end) {
        throw new java.io.EOFException("read of " + length + " bytes at " + fileOffset + " past the end, " + end);
      }
      file.seek(fileOffset);
      file.readFully(dst, dstOffset, length);
    }
  }

  @Override
  public synchronized void append(byte[] src, int srcOffset, int length) throws IOException {
    if (closed) {
      throw new IOException("file is closed");
    }
    if (!mapped) {
      if (end + length > allocated) {
        preallocate(end + length);
      }
      file.seek(end);
      file.write(src, srcOffset, length);
      end += length;
      return;
    }
    while (length > 0) {
      Window w = windows.isEmpty() ? null : windows.get(windows.size() - 1);
      if (w == null || end >= w.end()) {
        w = mapWindowAt(end);
      }
      int n = (int) Math.min(length, w.end() - end);
      try {
        w.buffer.put((int) (end - w.start), src, srcOffset, n);
      } catch (InternalError e) {
        // A fault in a mapped page: the file system could not back it after all.
        throw new IOException("write through the memory map failed at " + end, e);
      }
      end += n;
      srcOffset += n;
      length -= n;
    }
  }

  /**
   * Preallocates (with zeros, unless the background thread did) and maps the window starting at
   * {@code start}, then has the next window preallocated in the background.
   */
  private Window mapWindowAt(long start) throws IOException {
    int length = windowAt(start);
    int epoch;
    synchronized (growLock) {
      writeZerosTo(start + length);
      epoch = growEpoch;
    }
    Window w = new Window(map(start, length), start, length);
    windows.add(w);
    long nextEnd = w.end() + windowAt(w.end());
    background.execute(() -> prepare(nextEnd, epoch));
    return w;
  }

  /**
   * On the background thread: extends the file with zeros to {@code limit}, unless it was truncated
   * or closed since {@code epoch}. A failure is left for the append that needs the window to meet.
   */
  private void prepare(long limit, int epoch) {
    synchronized (growLock) {
      if (growEpoch != epoch) {
        return;
      }
      try {
        writeZerosTo(limit);
      } catch (IOException | RuntimeException e) {
        // The appending thread writes what is missing when it maps the window, and reports the failure then.
      }
    }
  }

  /** Positional: preallocates windows until the file reaches {@code limit}. */
  private void preallocate(long limit) throws IOException {
    long to = allocated;
    while (to < limit) {
      to += windowAt(to);
    }
    synchronized (growLock) {
      writeZerosTo(to);
    }
  }

  private int windowAt(long start) {
    int max = mapped ? MAX_WINDOW_BYTES : MAX_POSITIONAL_WINDOW_BYTES;
    return (int) Math.max(MIN_WINDOW_BYTES, Math.min(max, start));
  }

  /** Extends the file with zeros to {@code limit}, if it is shorter. Under growLock. */
  private void writeZerosTo(long limit) throws IOException {
    while (allocated < limit) {
      long at = allocated;
      ByteBuffer zeros = ZEROS.duplicate().limit((int) Math.min(ZEROS.capacity(), limit - at));
      allocated = at + zeroChannel.run(channel -> channel.write(zeros.rewind(), at));
    }
  }

  /**
   * Maps a range through a channel of its own, closed right after (a mapping outlives its
   * channel), so that an interrupt cannot fail it.
   */
  private MappedByteBuffer map(long start, int length) throws IOException {
    return PrivateChannel.runOnce(path, channel -> channel.map(FileChannel.MapMode.READ_WRITE, start, length),
        StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  /** How many windows are mapped; for tests. */
  synchronized int mappedWindows() {
    return windows.size();
  }

  /** How many syncs were full fsyncs rather than fdatasyncs. */
  int fullSyncs() {
    synchronized (syncLock) {
      return fullSyncs;
    }
  }

  @Override
  public synchronized long size() {
    return end;
  }

  @Override
  public void sync() throws IOException {
    synchronized (syncLock) {
      List<Window> toForce = new ArrayList<>();
      List<Window> retired = new ArrayList<>();
      long target;
      long length;
      synchronized (this) {
        if (closed) {
          throw new IOException("file is closed");
        }
        target = end;
        length = allocated;
        if (Unmapper.SUPPORTED && windows.size() > 1) {
          List<Window> full = windows.subList(0, windows.size() - 1); // appends go to the last only
          retired.addAll(full);
          full.clear();
        }
        for (Window w : windows) {
          if (w.end() > synced && w.start < target) {
            toForce.add(w);
          }
        }
      }
      // Full windows are unmapped before their pages are written. Writing back a page that a
      // process maps writable makes the kernel write-protect it first, and that flushes the TLB
      // of every CPU running the process: an interrupt of the appending thread per page. Unmapped,
      // the pages stay dirty in the page cache, and a file sync writes them with no interrupts.
      for (Window w : retired) {
        Unmapper.unmap(w.buffer);
      }
      // Outside the append lock: appends go on while the pages are written. Truncate and close
      // take syncLock before they unmap, so these windows stay mapped meanwhile.
      for (Window w : toForce) {
        int from = (int) Math.max(0, synced - w.start);
        int to = (int) Math.min(w.length, target - w.start);
        w.buffer.force(from, to - from);
      }
      if (length != syncedLength || !retired.isEmpty()) {
        // The file's length and its blocks' allocation, and the pages of the windows just unmapped
        // (a window is full only once the next one was preallocated, so the length changed too). A
        // window preallocated after `length` was read is synced by a later call; the bytes up to
        // `target` all lie within `length`.
        file.getFD().sync();
        syncedLength = length;
        fullSyncs++;
      } else if (!mapped) {
        dataSync();
      } // else forcing the pages was a data sync of their range (msync writes them and flushes)
      synced = target;
    }
  }

  /**
   * fdatasync, through a channel of its own, so that an interrupt cannot fail it. The channel stays
   * open: opening one for each sync measured a fifth fewer SYNC commits per second. Under syncLock.
   */
  private void dataSync() throws IOException {
    dataSyncChannel.run(channel -> {
      channel.force(false);
      return null;
    });
  }

  @Override
  public void truncate(long byteCount) throws IOException {
    synchronized (syncLock) {
      synchronized (this) {
        unmapAll();
        synchronized (growLock) {
          growEpoch++;
          file.setLength(byteCount);
          allocated = byteCount;
        }
        end = byteCount;
        synced = Math.min(synced, byteCount);
        syncedLength = -1;
      }
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (syncLock) {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        try {
          unmapAll();
          synchronized (growLock) {
            growEpoch++;
            if (allocated > end) {
              file.setLength(end); // cut off the preallocated tail
            }
          }
        } finally {
          try {
            dataSyncChannel.close();
          } finally {
            try {
              zeroChannel.close();
            } finally {
              file.close();
            }
          }
        }
      }
    }
  }

  /** Unmaps every window now, where the platform allows it, else leaves them to the collector. */
  private void unmapAll() {
    for (Window w : windows) {
      Unmapper.unmap(w.buffer);
    }
    windows.clear();
  }

  /**
   * Releases a mapping at once through {@code sun.misc.Unsafe.invokeCleaner} where the JDK has it;
   * elsewhere a mapping lives until its buffer is collected. Callers make sure no thread can touch
   * the buffer afterwards.
   */
  private static final class Unmapper {
    private static final MethodHandle INVOKE_CLEANER = find();
    /** Whether {@link #unmap} releases a mapping at once. */
    static final boolean SUPPORTED = INVOKE_CLEANER != null;

    private static MethodHandle find() {
      try {
        Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
        Field f = unsafeClass.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        Object unsafe = f.get(null);
        return MethodHandles.lookup()
            .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
            .bindTo(unsafe);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    static void unmap(MappedByteBuffer buffer) {
      if (INVOKE_CLEANER == null) {
        return;
      }
      try {
        INVOKE_CLEANER.invokeExact((ByteBuffer) buffer);
      } catch (Throwable t) {
        // not unmapped now; the collector will
      }
    }
  }
}
