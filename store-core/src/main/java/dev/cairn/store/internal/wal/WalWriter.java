package dev.cairn.store.internal.wal;

import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Appends sealed records to one WAL file. Records come from one thread at a time (the group-commit
 * leader) and durability marks from whichever thread fsynced an older WAL; appends are serialized
 * here, so a mark never lands inside a record. {@link #sync()} may run concurrently with appends;
 * the engine orders it against {@link #close()} with its own lock.
 */
public final class WalWriter implements AutoCloseable {
  private final long number;
  private final Path path;
  private final VfsFile file;
  private final int version;
  private volatile boolean holdsCommits;
  private volatile boolean marked;
  private Throwable failedWrite; // guarded by this
  private boolean sealed; // guarded by this
  private volatile long size;
  private volatile long syncedSize;

  private WalWriter(long number, Path path, VfsFile file, int version, long size) {
    this.number = number;
    this.path = path;
    this.file = file;
    this.version = version;
    this.size = size;
    this.syncedSize = size;
  }

  /**
   * Creates WAL file {@code number}: writes the header, fsyncs it and its directory. A {@code
   * mapped} WAL is appended through a memory map ({@link Vfs#createMapped}), where appends cost no
   * system call; it suits a store that does not fsync each commit. Otherwise the WAL is written
   * into preallocated space ({@link Vfs#createPreallocated}), where a sync commits no file-system
   * journal; that suits a store that fsyncs each commit.
   */
  public static WalWriter create(Vfs vfs, Path path, long number, boolean mapped) throws IOException {
    VfsFile file = mapped ? vfs.createMapped(path) : vfs.createPreallocated(path);
    byte[] header = WalFormat.header();
    file.append(header, 0, header.length);
    file.sync();
    vfs.syncDirectory(path.getParent());
    return new WalWriter(number, path, file, WalFormat.VERSION, header.length);
  }

  /**
   * Opens an existing, recovered WAL file of format {@code version} to append to it. Its records
   * must be fsynced already: the writer starts out synced.
   */
  public static WalWriter reopen(Vfs vfs, Path path, long number, int version, boolean holdsCommits,
      boolean mapped) throws IOException {
    VfsFile file = mapped ? vfs.openMapped(path) : vfs.openPreallocated(path);
    WalWriter writer = new WalWriter(number, path, file, version, file.size());
    writer.holdsCommits = holdsCommits;
    return writer;
  }

  /** Appends {@code length} bytes of sealed commit records in one write. */
  public void append(byte[] bytes, int offset, int length) throws IOException {
    write(bytes, offset, length);
    holdsCommits = true;
  }

  /**
   * Appends in one write. After a failed write the file may end in part of a record, so every
   * later write fails too: nothing valid may follow the damage, or recovery could not tell it from
   * a torn tail.
   */
  private synchronized void write(byte[] bytes, int offset, int length) throws IOException {
    if (sealed) {
      throw new IllegalStateException("WAL " + path + " is sealed");
    }
    if (failedWrite != null) {
      throw new IOException("an earlier write to " + path + " failed", failedWrite);
    }
    try {
      file.append(bytes, offset, length);
    } catch (IOException | RuntimeException e) {
      failedWrite = e;
      throw e;
    }
    size += length;
  }

  /** Appends a durability mark for {@code older}, which must be fsynced whole and no longer appended to. */
  public void appendMark(WalWriter older) throws IOException {
    if (appendMark(older.number, older.syncedSize)) {
      older.marked = true;
    }
  }

  /** Whether a later WAL holds a durability mark for this one. */
  public boolean marked() {
    return marked;
  }

  /**
   * Appends a durability mark for WAL {@code olderNumber}, fsynced whole at {@code olderLength}
   * bytes; false if this file cannot hold one. A version 1 file cannot: it is only ever the WAL a
   * store reopened, and a mark for a WAL before it is then left out (recovery fsynced that WAL).
   */
  public boolean appendMark(long olderNumber, long olderLength) throws IOException {
    if (version < 2) {
      return false;
    }
    byte[] mark = WalFormat.mark(olderNumber, olderLength);
    write(mark, 0, mark.length);
    return true;
  }

  /** Whether a commit was ever appended: a WAL that holds only marks is not worth sealing. */
  public boolean holdsCommits() {
    return holdsCommits;
  }

  /** Whether everything appended has been fsynced. */
  public boolean synced() {
    return syncedSize == size;
  }

  /** Fsyncs what was appended, if anything is unsynced. */
  public void sync() throws IOException {
    long target = size;
    if (syncedSize < target) {
      file.sync();
      synchronized (this) { // two threads may sync at once: the synced size only grows
        if (syncedSize < target) {
          syncedSize = target;
        }
      }
    }
  }

  /**
   * Ends appends to this WAL: every later append fails, and {@link #size()} is final. The file's
   * preallocated tail stays until {@link #cutTail()}: cutting it here, on the rotating writer,
   * waited for whatever fsync of the file was running. Until then change cursors take the records'
   * end from the seal the engine records with {@link #size()} ({@code WalHistory.sealed}), and
   * recovery from the run of zeros.
   */
  public synchronized void seal() {
    sealed = true;
  }

  /**
   * Cuts a sealed WAL's file back to its records. Call it before the WAL's last {@link #sync()}:
   * that fsync then writes no zeros, and the file system never allocates blocks for them (freeing
   * written blocks costs a later journal commit, and a discard on a file system mounted with one).
   */
  public synchronized void cutTail() throws IOException {
    if (!sealed) {
      throw new IllegalStateException("WAL " + path + " is not sealed");
    }
    file.truncate(size);
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
