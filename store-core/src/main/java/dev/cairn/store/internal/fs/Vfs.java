package dev.cairn.store.internal.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The one seam through which the store touches the file system, so that every write, fsync,
 * rename and directory sync is visible in one place (and can be replaced by a crash-simulating
 * implementation in tests).
 *
 * <p>Implementations are thread-safe. Paths are absolute paths inside the store directory. No
 * method may be interruptible: a thread interrupt must never close a file that other threads use.
 */
public interface Vfs {
  /** Opens an existing file for reading and appending. */
  VfsFile open(Path file) throws IOException;

  /** Creates a new, empty file (failing if it exists) open for reading and appending. */
  VfsFile create(Path file) throws IOException;

  /**
   * As {@link #create}, for a file that only this handle appends to and that may be written
   * through a memory map: an append then costs no system call, yet is in the operating system when
   * it returns. Such a file may, after a crash, end in a run of zeros its appends never wrote (its
   * preallocated tail), which its reader must take for the end. By default, {@link #create}.
   */
  default VfsFile createMapped(Path file) throws IOException {
    return create(file);
  }

  /** As {@link #open}, for a file to be appended to as {@link #createMapped} describes. By default, {@link #open}. */
  default VfsFile openMapped(Path file) throws IOException {
    return open(file);
  }

  /**
   * As {@link #create}, for a file that only this handle appends to, into space preallocated
   * ahead of the appends, so that a sync that follows appends to it need not change the file's
   * length (an fdatasync that commits no file-system journal). Such a file may end in a zero tail,
   * as {@link #createMapped} describes. By default, {@link #create}.
   */
  default VfsFile createPreallocated(Path file) throws IOException {
    return create(file);
  }

  /** As {@link #open}, for a file to be appended to as {@link #createPreallocated} describes. By default, {@link #open}. */
  default VfsFile openPreallocated(Path file) throws IOException {
    return open(file);
  }

  /** Names of the entries of {@code dir}, in no particular order. */
  List<String> list(Path dir) throws IOException;

  boolean exists(Path file);

  /** Size in bytes of {@code file}. */
  long size(Path file) throws IOException;

  /** Creates {@code dir} and its parents if missing. */
  void createDirectories(Path dir) throws IOException;

  /** Atomically renames {@code source} to {@code target}, replacing it. Durable after {@link #syncDirectory}. */
  void rename(Path source, Path target) throws IOException;

  /** Deletes {@code file} if it exists. Durable after {@link #syncDirectory}. */
  void delete(Path file) throws IOException;

  /** Makes the creations, renames and deletions of entries of {@code dir} durable. */
  void syncDirectory(Path dir) throws IOException;

  /**
   * Takes the exclusive lock of a store directory through the lock file {@code lockFile}, or
   * returns null if another holder (this JVM or another process) has it. Closing the result
   * releases the lock.
   */
  Closeable tryLock(Path lockFile) throws IOException;
}
