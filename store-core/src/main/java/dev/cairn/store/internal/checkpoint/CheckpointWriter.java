package dev.cairn.store.internal.checkpoint;

import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.segment.BlockWriter;
import dev.cairn.store.internal.util.ByteSink;
import dev.cairn.store.internal.util.Bytes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes a checkpoint to a temporary file; {@link #finish()} fsyncs it. The caller renames it into
 * place and syncs the directory, so a checkpoint is either wholly there or not at all. Entries
 * must be added in ascending key order. Not thread-safe.
 */
public final class CheckpointWriter implements AutoCloseable {
  private final VfsFile file;
  private final BlockWriter blocks;
  private final EntryLocations locations;
  private byte[] previousKey;
  private long blockOfPreviousKey = -1;
  private long entryCount;
  private boolean finished;

  public CheckpointWriter(Vfs vfs, Path tmpPath, CheckpointMeta meta, int codecId) throws IOException {
    this.file = vfs.create(tmpPath);
    ByteSink head = new ByteSink(1024);
    head.put(CheckpointFormat.MAGIC).putInt(CheckpointFormat.VERSION);
    head.putInt(Bytes.crc32c(head.array(), 0, 12));
    ByteSink body = new ByteSink(64 + meta.segments().size() * 16);
    body.putLong(meta.lastSequence()).putLong(meta.walStartNumber()).putLong(meta.nextFileNumber());
    body.putInt(meta.segments().size());
    for (CheckpointMeta.SegmentRef s : meta.segments()) {
      body.putLong(s.fileNumber()).putLong(s.fileLength());
    }
    head.putInt(body.size()).putInt(Bytes.crc32c(body.array(), 0, body.size()));
    head.put(body.array(), 0, body.size());
    file.append(head.array(), 0, head.size());
    this.blocks = new BlockWriter(file, head.size(), codecId, 64 * 1024);
    this.locations = new EntryLocations(meta.segments().size());
  }

  /** Adds the entry of one live key; {@code segmentIndex} is its segment's position in the meta's list. */
  public void add(byte[] key, long sequence, int segmentIndex, long blockOffset, int recordOffset, int valueLength)
      throws IOException {
    blocks.startRecord();
    if (previousKey != null && Arrays.compareUnsigned(previousKey, key) >= 0) {
      throw new IllegalStateException("checkpoint keys out of order");
    }
    int shared = 0;
    if (previousKey != null && blocks.blockOffset() == blockOfPreviousKey) {
      shared = Bytes.sharedPrefix(previousKey, key);
    } else {
      locations.newBlock();
    }
    ByteSink raw = blocks.raw();
    raw.putVarint(shared).putVarint(key.length - shared).put(key, shared, key.length - shared);
    int slot = locations.choose(segmentIndex, blockOffset, recordOffset);
    raw.putVarint(sequence).putVarint(slot);
    raw.putVarint(EntryLocations.zigzag(blockOffset - locations.blockBase(slot)));
    raw.putVarint(EntryLocations.zigzag(recordOffset - locations.recordBase(slot, blockOffset)));
    raw.putVarint(valueLength);
    locations.advance(slot, blockOffset, recordOffset, sequence, valueLength);
    previousKey = key;
    blockOfPreviousKey = blocks.blockOffset();
    entryCount++;
  }

  public long entryCount() {
    return entryCount;
  }

  /** Writes the footer and fsyncs and closes the file. */
  public void finish() throws IOException {
    long dataEnd = blocks.finish();
    ByteSink footer = new ByteSink(CheckpointFormat.FOOTER_BYTES);
    footer.putLong(dataEnd).putInt(blocks.blockCount()).putLong(entryCount).put(CheckpointFormat.END_MAGIC);
    footer.putInt(Bytes.crc32c(footer.array(), 0, footer.size()));
    file.append(footer.array(), 0, footer.size());
    file.sync();
    file.close();
    finished = true;
  }

  @Override
  public void close() throws IOException {
    if (!finished) {
      finished = true;
      file.close();
    }
  }
}
