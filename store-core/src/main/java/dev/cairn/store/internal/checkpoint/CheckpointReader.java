package dev.cairn.store.internal.checkpoint;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.segment.BlockReader;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.util.ByteSource;
import dev.cairn.store.internal.util.Bytes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a checkpoint file, verifying every checksum, and hands its entries to a visitor in key
 * order. Any damage is a {@link CorruptionException} naming the file and offset: a checkpoint is
 * renamed into place only when complete, so it has no legitimate torn state.
 */
public final class CheckpointReader {
  /** Receives checkpoint entries in ascending key order. */
  public interface EntryVisitor {
    void entry(byte[] key, long sequence, int segmentIndex, long blockOffset, int recordOffset, int valueLength);
  }

  private CheckpointReader() {}

  /** Reads only the meta section. */
  public static CheckpointMeta readMeta(Path path, VfsFile file) throws IOException {
    long size = file.size();
    if (size < CheckpointFormat.HEADER_BYTES + 8 + CheckpointFormat.FOOTER_BYTES) {
      throw new CorruptionException(path, 0, "checkpoint of " + size + " bytes is too short");
    }
    byte[] head = new byte[CheckpointFormat.HEADER_BYTES + 8];
    file.read(0, head, 0, head.length);
    if (!Arrays.equals(head, 0, 8, CheckpointFormat.MAGIC, 0, 8)
        || Bytes.getInt(head, 12) != Bytes.crc32c(head, 0, 12)) {
      throw new CorruptionException(path, 0, "bad checkpoint header");
    }
    int version = Bytes.getInt(head, 8);
    if (version != CheckpointFormat.VERSION && version != CheckpointFormat.VERSION_1) {
      throw new CorruptionException(path, 8, "unsupported checkpoint version " + version);
    }
    int metaLength = Bytes.getInt(head, 16);
    long metaOffset = CheckpointFormat.HEADER_BYTES + 8;
    if (metaLength < 28 || metaLength > CheckpointFormat.MAX_META_BYTES
        || metaOffset + metaLength + CheckpointFormat.FOOTER_BYTES > size) {
      throw new CorruptionException(path, 16, "checkpoint meta length " + metaLength + " out of range");
    }
    byte[] body = new byte[metaLength];
    file.read(metaOffset, body, 0, metaLength);
    if (Bytes.crc32c(body, 0, metaLength) != Bytes.getInt(head, 20)) {
      throw new CorruptionException(path, metaOffset, "checkpoint meta checksum mismatch");
    }
    try {
      ByteSource in = new ByteSource(body, 0, metaLength);
      long lastSequence = in.readLong();
      long walStart = in.readLong();
      long nextFile = in.readLong();
      int segmentCount = in.readInt();
      if (segmentCount < 0 || segmentCount > in.remaining() / 16) {
        throw new ByteSource.Truncated("segment count " + segmentCount);
      }
      List<CheckpointMeta.SegmentRef> segments = new ArrayList<>(segmentCount);
      for (int i = 0; i < segmentCount; i++) {
        segments.add(new CheckpointMeta.SegmentRef(in.readLong(), in.readLong()));
      }
      if (in.hasRemaining()) {
        throw new ByteSource.Truncated(in.remaining() + " stray bytes");
      }
      return new CheckpointMeta(lastSequence, walStart, nextFile, List.copyOf(segments));
    } catch (ByteSource.Truncated e) {
      throw new CorruptionException(path, metaOffset, "malformed checkpoint meta: " + e.getMessage());
    }
  }

  /** Reads the entries, after {@link #readMeta}; returns how many there were. */
  public static long readEntries(Path path, VfsFile file, int segmentCount, EntryVisitor visitor) throws IOException {
    long size = file.size();
    byte[] head = new byte[CheckpointFormat.HEADER_BYTES + 8];
    file.read(0, head, 0, head.length);
    boolean relative = Bytes.getInt(head, 8) != CheckpointFormat.VERSION_1;
    long blocksStart = CheckpointFormat.HEADER_BYTES + 8L + Bytes.getInt(head, 16);
    long footerOffset = size - CheckpointFormat.FOOTER_BYTES;
    byte[] footer = new byte[CheckpointFormat.FOOTER_BYTES];
    file.read(footerOffset, footer, 0, footer.length);
    if (!Arrays.equals(footer, 20, 28, CheckpointFormat.END_MAGIC, 0, 8)
        || Bytes.getInt(footer, 28) != Bytes.crc32c(footer, 0, 28)) {
      throw new CorruptionException(path, footerOffset, "bad checkpoint footer");
    }
    long dataEnd = Bytes.getLong(footer, 0);
    int blockCount = Bytes.getInt(footer, 8);
    long entryCount = Bytes.getLong(footer, 12);
    if (dataEnd != footerOffset) {
      throw new CorruptionException(path, footerOffset, "footer dataEnd " + dataEnd + " does not match the file");
    }
    long offset = blocksStart;
    long entries = 0;
    byte[] previous = null;
    EntryLocations locations = relative ? new EntryLocations(segmentCount) : null;
    for (int b = 0; b < blockCount; b++) {
      BlockReader.Framed framed = BlockReader.readFramed(path, file, offset, dataEnd);
      byte[] raw = framed.decompress(path, offset);
      ByteSource in = new ByteSource(raw, 0, raw.length);
      byte[] blockPrevious = null;
      if (relative) {
        locations.newBlock();
      }
      try {
        for (int r = 0; r < framed.recordCount(); r++) {
          long shared = in.readVarint();
          int suffix = in.readLength();
          if (shared < 0 || shared > (blockPrevious == null ? 0 : blockPrevious.length)) {
            throw new ByteSource.Truncated("shared prefix " + shared + " longer than the previous key");
          }
          byte[] key = new byte[(int) shared + suffix];
          if (shared > 0) {
            System.arraycopy(blockPrevious, 0, key, 0, (int) shared);
          }
          System.arraycopy(in.array(), in.position(), key, (int) shared, suffix);
          in.skip(suffix);
          long sequence = in.readVarint();
          // Version 2: a slot, segmentIndex × CURSORS + cursor; version 1: the segment index.
          long slot = in.readVarint();
          int cursors = relative ? EntryLocations.CURSORS : 1;
          // A varint of 10 bytes can set the sign bit: compare as unsigned so that it is out of range too.
          if (Long.compareUnsigned(slot, (long) segmentCount * cursors) >= 0) {
            throw new ByteSource.Truncated((relative ? "slot " : "segment index ") + Long.toUnsignedString(slot)
                + " of " + segmentCount + " segments");
          }
          long segmentIndex = slot / cursors;
          long blockOffset = in.readVarint();
          if (relative) {
            blockOffset = locations.blockBase((int) slot) + EntryLocations.unzigzag(blockOffset);
          }
          long recordOffset = in.readVarint();
          if (relative && Long.compareUnsigned(blockOffset, Integer.MAX_VALUE) <= 0) {
            recordOffset = locations.recordBase((int) slot, blockOffset) + EntryLocations.unzigzag(recordOffset);
          }
          long valueLength = in.readVarint();
          if (Long.compareUnsigned(recordOffset, SegmentFormat.MAX_RAW_BLOCK_BYTES) > 0
              || Long.compareUnsigned(valueLength, SegmentFormat.MAX_RAW_BLOCK_BYTES) > 0
              || Long.compareUnsigned(blockOffset, Integer.MAX_VALUE) > 0) {
            throw new ByteSource.Truncated("entry fields out of range");
          }
          if (relative) {
            locations.advance((int) slot, blockOffset, recordOffset, sequence, valueLength);
          }
          if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
            throw new ByteSource.Truncated("keys out of order");
          }
          visitor.entry(key, sequence, (int) segmentIndex, blockOffset, (int) recordOffset, (int) valueLength);
          previous = key;
          blockPrevious = key;
          entries++;
        }
        if (in.hasRemaining()) {
          throw new ByteSource.Truncated(in.remaining() + " stray bytes after the last entry");
        }
      } catch (ByteSource.Truncated e) {
        throw new CorruptionException(path, offset, "malformed checkpoint block: " + e.getMessage());
      }
      offset += framed.length();
    }
    if (offset != dataEnd || entries != entryCount) {
      throw new CorruptionException(path, offset, "checkpoint holds " + entries + " entries in "
          + (offset - blocksStart) + " bytes; the footer says " + entryCount + " in " + (dataEnd - blocksStart));
    }
    return entries;
  }
}
