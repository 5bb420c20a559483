package dev.cairn.store.internal.fs;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * Positional reads of one open file, which any number of threads may make at once (each a pread:
 * no shared file pointer, no lock held across the system call), and which an interrupt does not
 * fail. Thread-safe.
 *
 * <p>A {@link FileChannel} is interruptible: an interrupt, pending or arriving during a read,
 * closes the channel for every thread. A reader here sets its own interrupt aside while it reads
 * and restores it after. A read that finds the channel closed under it (by another thread's
 * interrupt) reopens it by path and reads again, but only if the path still names the same file
 * (the same file key: device and inode); if the file was deleted or replaced meanwhile, {@link
 * #read} returns false and the caller reads through a handle of its own.
 */
final class ReadChannel implements Closeable {
  private final Path path;
  /** The file's identity where the platform has one (not on Windows); null: cannot reopen safely. */
  private final Object fileKey;
  private volatile FileChannel channel; // replaced under this; null once the file cannot be reopened
  private boolean closed; // guarded by this

  /** Opens {@code path}, which must name the file the caller has just opened. */
  ReadChannel(Path path) throws IOException {
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ);
    this.fileKey = keyOf(path);
  }

  private static Object keyOf(Path path) throws IOException {
    return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
  }

  /**
   * Reads exactly {@code length} bytes at {@code position} into {@code dst}; throws {@link
   * EOFException} when the file ends first. Returns false, having read nothing reliable, when an
   * interrupt closed the channel and the file can no longer be reopened by its path.
   */
  boolean read(long position, byte[] dst, int dstOffset, int length) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      FileChannel ch = channel;
      for (;;) {
        if (ch == null) {
          return false;
        }
        try {
          ByteBuffer buffer = ByteBuffer.wrap(dst, dstOffset, length);
          while (buffer.hasRemaining()) {
            if (ch.read(buffer, position + buffer.position() - dstOffset) < 0) {
              throw new EOFException("read of " + length + " bytes at " + position + " past the end of " + path);
            }
          }
          return true;
        } catch (ClosedChannelException e) { // closed by an interrupt, this thread's or another's, or by close()
          interrupted |= Thread.interrupted();
          ch = reopenIf(ch);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The open channel, reopened if it is still {@code failed}; null if the path no longer names the file. */
  private synchronized FileChannel reopenIf(FileChannel failed) throws IOException {
    if (closed) {
      throw new IOException(path + " is closed");
    }
    if (channel == failed && channel != null) {
      FileChannel reopened = null;
      try {
        reopened = FileChannel.open(path, StandardOpenOption.READ);
        if (fileKey == null || !Objects.equals(fileKey, keyOf(path))) {
          reopened.close();
          reopened = null;
        }
      } catch (NoSuchFileException e) {
        reopened = null;
      }
      channel = reopened;
    }
    return channel;
  }

  @Override
  public synchronized void close() throws IOException {
    closed = true;
    if (channel != null) {
      channel.close();
    }
  }
}
