package dev.cairn.store.internal.fs;

import java.io.Closeable;
import java.io.IOException;

/**
 * An open file: positional reads, appends at the end, fsync, and truncation. Thread-safe: reads may
 * run concurrently with each other and with one appender. Not interruptible.
 */
public interface VfsFile extends Closeable {
  /**
   * Reads exactly {@code length} bytes at {@code fileOffset} into {@code dst}; throws {@link
   * java.io.EOFException} when the file ends first.
   */
  void read(long fileOffset, byte[] dst, int dstOffset, int length) throws IOException;

  /** Appends {@code length} bytes at the end of the file. */
  void append(byte[] src, int srcOffset, int length) throws IOException;

  /** Current size in bytes. */
  long size() throws IOException;

  /** Makes every appended byte durable (fsync). */
  void sync() throws IOException;

  /** Cuts the file to {@code byteCount} bytes. */
  void truncate(long byteCount) throws IOException;
}
