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
