package dev.cairn.store.internal.segment;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.util.Bytes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open, immutable segment file. Thread-safe.
 *
 * <p>Lifetime: reference counted. The store holds one reference while the segment is live; each
 * reader holds one for the duration of a block read ({@link #tryAcquire()}). When compaction
 * replaces a segment the store drops its reference, and the file is closed and deleted by whoever
 * releases the last one. A failed {@code tryAcquire} tells a reader that the segment is gone and
 * that the index now points elsewhere.
 *
 * <p>Garbage accounting: {@link #liveBytes} counts the raw bytes of the records that the index
 * still points to, out of {@link #rawBytes()}; it is updated under the index write lock.
 */
public final class Segment {
  private final long fileNumber;
  private final Path path;
  private final VfsFile file;
  private final int version;
  private final long fileLength;
  private final long dataEnd;
  private final int blockCount;
  private final int recordCount;
  private final long rawBytes;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final AtomicLong liveBytes = new AtomicLong();
  /** A point read fetches at most this much at once; a larger block takes a second read. */
  private static final int MAX_READ_GUESS_BYTES = 64 * 1024;
  /** Largest framed block read so far, up to the cap: how much a point read fetches at once. A racy hint. */
  private volatile int readGuessBytes = 4096;
  private volatile Vfs deleteWith;

  private Segment(long fileNumber, Path path, VfsFile file, int version, long fileLength, long dataEnd,
      int blockCount, int recordCount, long rawBytes) {
    this.fileNumber = fileNumber;
    this.path = path;
    this.file = file;
    this.version = version;
    this.fileLength = fileLength;
    this.dataEnd = dataEnd;
    this.blockCount = blockCount;
    this.recordCount = recordCount;
    this.rawBytes = rawBytes;
  }

  /**
   * Opens a segment written by {@link SegmentWriter}, verifying its header and footer.
   *
   * @param expectedLength the length the checkpoint recorded, or -1 when not known
   */
  public static Segment open(Vfs vfs, Path path, long fileNumber, long expectedLength)
      throws IOException {
    VfsFile file = vfs.open(path);
    try {
      long length = file.size();
      if (expectedLength >= 0 && length != expectedLength) {
        throw new CorruptionException(path, Math.min(length, expectedLength),
            "segment is " + length + " bytes; the checkpoint recorded " + expectedLength);
      }
      if (length < SegmentFormat.HEADER_BYTES + SegmentFormat.FOOTER_BYTES) {
        throw new CorruptionException(path, 0, "segment of " + length + " bytes is too short");
      }
      byte[] header = new byte[SegmentFormat.HEADER_BYTES];
      file.read(0, header, 0, header.length);
      if (!Arrays.equals(header, 0, 8, SegmentFormat.MAGIC, 0, 8)
          || Bytes.getInt(header, 12) != Bytes.crc32c(header, 0, 12)) {
        throw new CorruptionException(path, 0, "bad segment header");
      }
      int version = Bytes.getInt(header, 8);
      if (version != SegmentFormat.VERSION && version != SegmentFormat.VERSION_1) {
        throw new CorruptionException(path, 8, "unsupported segment version " + version);
      }
      long footerOffset = length - SegmentFormat.FOOTER_BYTES;
      byte[] footer = new byte[SegmentFormat.FOOTER_BYTES];
      file.read(footerOffset, footer, 0, footer.length);
      if (!Arrays.equals(footer, 24, 32, SegmentFormat.END_MAGIC, 0, 8)
          || Bytes.getInt(footer, 32) != Bytes.crc32c(footer, 0, 32)) {
        throw new CorruptionException(path, footerOffset, "bad segment footer");
      }
      long dataEnd = Bytes.getLong(footer, 0);
      if (dataEnd != footerOffset) {
        throw new CorruptionException(path, footerOffset, "footer dataEnd " + dataEnd + " does not match the file");
      }
      int blockCount = Bytes.getInt(footer, 8);
      int recordCount = Bytes.getInt(footer, 12);
      long rawBytes = Bytes.getLong(footer, 16);
      // Statistics, never re-counted; but each block takes at least its header, holds at most
      // MAX_RAW_BLOCK_BYTES, and holds no more records than raw bytes.
      if (blockCount < 0 || blockCount > (dataEnd - SegmentFormat.HEADER_BYTES) / SegmentFormat.BLOCK_HEADER_BYTES
          || rawBytes < 0 || rawBytes > (long) blockCount * SegmentFormat.MAX_RAW_BLOCK_BYTES
          || recordCount < 0 || recordCount > rawBytes) {
        throw new CorruptionException(path, footerOffset, "footer counts " + blockCount + " blocks, " + recordCount
            + " records and " + rawBytes + " raw bytes: impossible in " + (dataEnd - SegmentFormat.HEADER_BYTES)
            + " bytes of blocks");
      }
      Segment segment = new Segment(fileNumber, path, file, version, length, dataEnd, blockCount, recordCount,
          rawBytes);
      file = null;
      return segment;
    } finally {
      if (file != null) {
        file.close();
      }
    }
  }

  /** Reads, verifies and decompresses the block at {@code blockOffset}. The caller holds a reference. */
  public byte[] readBlock(long blockOffset) throws IOException {
    BlockReader.RawBlock block = BlockReader.readRaw(path, file, blockOffset, dataEnd, readGuessBytes);
    if (block.framedLength() > readGuessBytes) {
      readGuessBytes = Math.min(block.framedLength(), MAX_READ_GUESS_BYTES);
    }
    return block.raw();
  }

  /** Reads and verifies the framed block at {@code blockOffset}, without decompressing it. */
  public BlockReader.Framed readFramedBlock(long blockOffset) throws IOException {
    return BlockReader.readFramed(path, file, blockOffset, dataEnd);
  }

  /** Takes a reader reference; false if the segment was already released. */
  public boolean tryAcquire() {
    for (;;) {
      int n = refs.get();
      if (n == 0) {
        return false;
      }
      if (refs.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one closes the file, and deletes it if {@link #markObsolete} was called. */
  public void release() {
    if (refs.decrementAndGet() == 0) {
      try {
        file.close();
        Vfs vfs = deleteWith;
        if (vfs != null) {
          vfs.delete(path);
        }
      } catch (IOException e) {
        // The file is no longer referenced by any checkpoint; the next open deletes leftovers.
      }
    }
  }

  /** Asks that the file be deleted when the last reference is released. */
  public void markObsolete(Vfs vfs) {
    this.deleteWith = vfs;
  }

  public long fileNumber() {
    return fileNumber;
  }

  public Path path() {
    return path;
  }

  /** The format version of the file's records ({@link SegmentFormat#VERSION} or an older one it reads). */
  public int version() {
    return version;
  }

  public long fileLength() {
    return fileLength;
  }

  public long dataEnd() {
    return dataEnd;
  }

  public int blockCount() {
    return blockCount;
  }

  public int recordCount() {
    return recordCount;
  }

  /** Raw (uncompressed) bytes of all blocks. */
  public long rawBytes() {
    return rawBytes;
  }

  public AtomicLong liveBytes() {
    return liveBytes;
  }

  @Override
  public String toString() {
    return path.getFileName().toString();
  }
}
