package dev.cairn.store.faults;

import dev.cairn.store.internal.fs.ForwardingVfs;
import dev.cairn.store.internal.fs.NioVfs;
import dev.cairn.store.internal.fs.VfsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real file system, except that one chosen operation fails. Counting starts at {@link #arm}
 * and runs over every thread that uses the store, so the failing operation may belong to a
 * caller, the writer, the periodic fsync or the maintenance thread.
 *
 * <p>Two faults: {@link Fault#IO_ERROR} makes the N-th counted operation throw an {@link
 * IOException} without touching the disk (a failed read leaves junk in its buffer, as a partly
 * failed read can); counted operations are file opens, creations, reads, appends, fsyncs,
 * truncations, sizes, and directory listings, renames, deletions and fsyncs (not {@code exists},
 * file {@code close} or the directory lock). {@link Fault#DISK_FULL} counts appends
 * only, and makes the N-th write a prefix of its bytes (none, half, or all but one, by N) and then
 * throw {@code IOException("No space left on device")}, as a full disk does. Like the JDK's own
 * exceptions for failed writes and fsyncs, the injected ones do not name the file: the store must.
 *
 * <p>At most one operation fails per arming. Thread-safe.
 */
final class FaultyVfs extends ForwardingVfs {
  /** What the failing operation does. */
  enum Fault {
    IO_ERROR,
    DISK_FULL
  }

  private final AtomicLong counted = new AtomicLong();
  private volatile Fault fault = Fault.IO_ERROR;
  private volatile long failAt = -1; // -1: not counting
  private volatile String failed; // the operation that failed, once it has
  private volatile Path failedPath;

  FaultyVfs() {
    super(new NioVfs());
  }

  /** Starts counting from zero; operation {@code n} (1-based) of kind {@code fault} will fail. */
  void arm(Fault fault, long n) {
    this.fault = fault;
    this.failed = null;
    this.failedPath = null;
    counted.set(0);
    this.failAt = n;
  }

  /** Starts counting without failing anything, to learn how many operations a workload makes. */
  void countOnly(Fault fault) {
    arm(fault, Long.MAX_VALUE);
  }

  /** Stops counting and failing. */
  void disarm() {
    failAt = -1;
  }

  /** Operations of the armed kind counted since {@link #arm}. */
  long counted() {
    return counted.get();
  }

  /** The operation that failed ("append to 00000000000000000003.seg"), or null if none has. */
  String failedOperation() {
    return failed;
  }

  /** The file or directory of the operation that failed, or null if none has. */
  Path failedPath() {
    return failedPath;
  }

  /** Whether the failed operation changes the disk (a write, fsync, creation, rename or truncation). */
  boolean failedWriteSide() {
    String op = failed;
    return op != null && !op.startsWith("read") && !op.startsWith("open") && !op.startsWith("size")
        && !op.startsWith("listing") && !op.startsWith("deletion");
  }

  /** True if this call is the one to fail (and records it as failed). */
  private boolean strikes(Fault kind, String operation, Path path) {
    if (failAt < 0 || kind != fault) {
      return false;
    }
    if (counted.incrementAndGet() != failAt) {
      return false;
    }
    failedPath = path;
    failed = operation + " " + path.getFileName();
    return true;
  }

  private void check(String operation, Path path) throws IOException {
    if (strikes(Fault.IO_ERROR, operation, path)) {
      throw new IOException("Input/output error");
    }
  }

  @Override
  protected VfsFile openFile(Path file, Opening how) throws IOException {
    check(how.creates() ? "creation of" : "open of", file);
    return new FaultyFile(super.openFile(file, how), file);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    check("listing of", dir);
    return super.list(dir);
  }

  @Override
  public long size(Path file) throws IOException {
    check("size of", file);
    return super.size(file);
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    check("rename of", source);
    super.rename(source, target);
  }

  @Override
  public void delete(Path file) throws IOException {
    check("deletion of", file);
    super.delete(file);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    check("fsync of directory", dir);
    super.syncDirectory(dir);
  }

  /** A file whose operations count, and whose chosen operation fails. */
  private final class FaultyFile extends ForwardingFile {
    private final Path path;

    FaultyFile(VfsFile file, Path path) {
      super(file);
      this.path = path;
    }

    @Override
    public void read(long fileOffset, byte[] dst, int dstOffset, int length) throws IOException {
      if (strikes(Fault.IO_ERROR, "read of", path)) {
        Arrays.fill(dst, dstOffset, dstOffset + length, (byte) 0xEE); // a failed read may leave anything behind
        throw new IOException("Input/output error");
      }
      super.read(fileOffset, dst, dstOffset, length);
    }

    @Override
    public void append(byte[] src, int srcOffset, int length) throws IOException {
      check("append to", path);
      if (strikes(Fault.DISK_FULL, "append to", path)) {
        long n = failAt;
        int written = n % 3 == 0 ? 0 : n % 3 == 1 ? length / 2 : Math.max(0, length - 1);
        if (written > 0) {
          super.append(src, srcOffset, written);
        }
        throw new IOException("No space left on device");
      }
      super.append(src, srcOffset, length);
    }

    @Override
    public long size() throws IOException {
      check("size of", path);
      return super.size();
    }

    @Override
    public void sync() throws IOException {
      check("fsync of", path);
      super.sync();
    }

    @Override
    public void truncate(long byteCount) throws IOException {
      check("truncation of", path);
      super.truncate(byteCount);
    }
  }
}
