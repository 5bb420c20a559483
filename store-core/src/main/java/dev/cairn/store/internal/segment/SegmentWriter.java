package dev.cairn.store.internal.segment;

import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.util.ByteSink;
import dev.cairn.store.internal.util.Bytes;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes one new segment file: header, blocks of records, footer, then fsync. Not thread-safe. The
 * file is not part of the store until a checkpoint lists it; an unfinished one is deleted on open.
 */
public final class SegmentWriter implements AutoCloseable {
  /** Where a record landed. */
  public record Location(long blockOffset, int recordOffset) {}

  private final Path path;
  private final VfsFile file;
  private final BlockWriter blocks;
  private int recordCount;
  private boolean finished;

  public SegmentWriter(Vfs vfs, Path path, int codecId, int targetBlockBytes) throws IOException {
    this.path = path;
    this.file = vfs.create(path);
    byte[] header = new byte[SegmentFormat.HEADER_BYTES];
    System.arraycopy(SegmentFormat.MAGIC, 0, header, 0, 8);
    Bytes.putInt(header, 8, SegmentFormat.VERSION);
    Bytes.putInt(header, 12, Bytes.crc32c(header, 0, 12));
    file.append(header, 0, header.length);
    this.blocks = new BlockWriter(file, header.length, codecId, targetBlockBytes);
  }

  /** Adds a record; returns its location. The key is not stored: the index holds it. */
  public Location add(long sequence, byte[] value) throws IOException {
    return add(sequence, value, 0, value.length);
  }

  /** Adds a record whose value is {@code value[offset, offset + length)}; returns its location. */
  public Location add(long sequence, byte[] value, int offset, int length) throws IOException {
    int recordOffset = blocks.startRecord();
    long blockOffset = blocks.blockOffset();
    SegmentRecord.write(blocks.raw(), sequence, value, offset, length);
    recordCount++;
    return new Location(blockOffset, recordOffset);
  }

  /**
   * Copies a verified framed block of another segment of this writer's version ({@link
   * SegmentFormat#VERSION}) unchanged; returns its new file offset.
   */
  public long copyBlock(BlockReader.Framed block) throws IOException {
    recordCount += block.recordCount();
    return blocks.copyBlock(block.bytes(), block.rawLength());
  }

  /** Bytes written or buffered so far. */
  public long length() {
    return blocks.blockOffset();
  }

  public int recordCount() {
    return recordCount;
  }

  public Path path() {
    return path;
  }

  /** Writes the footer, fsyncs and closes the file. The caller syncs the directory. */
  public void finish() throws IOException {
    long dataEnd = blocks.finish();
    ByteSink footer = new ByteSink(SegmentFormat.FOOTER_BYTES);
    footer.putLong(dataEnd).putInt(blocks.blockCount()).putInt(recordCount).putLong(blocks.rawBytes());
    footer.put(SegmentFormat.END_MAGIC);
    footer.putInt(Bytes.crc32c(footer.array(), 0, footer.size()));
    file.append(footer.array(), 0, footer.size());
    file.sync();
    file.close();
    finished = true;
  }

  /** Closes an unfinished writer's file (the caller deletes it). */
  @Override
  public void close() throws IOException {
    if (!finished) {
      finished = true;
      file.close();
    }
  }
}
