package dev.cairn.store.internal.segment;

import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.util.ByteSink;
import dev.cairn.store.internal.util.Bytes;
import io.airlift.compress.Compressor;
import java.io.IOException;
import java.util.zip.CRC32C;

/**
 * Packs records into framed, compressed blocks and appends them to a file, buffering about 1 MiB
 * of output between appends. Used by segment and checkpoint writers. Not thread-safe. A block
 * that compression would shrink by less than 1/8 is stored raw; after a run of such blocks the
 * writer stops trying but for a probe now and then (docs/FORMAT.md, "Codecs").
 *
 * <p>Callers add a record with {@link #startRecord()} (which returns where it lands) and then
 * write its bytes into {@link #raw()}; a block is sealed once its raw size reaches the target.
 */
public final class BlockWriter {
  private static final int OUTPUT_FLUSH_BYTES = 1 << 20;

  /** Blocks in a row that did not compress, after which only every {@link #PROBE_INTERVAL}th block tries. */
  static final int INCOMPRESSIBLE_RUN = 4;

  static final int PROBE_INTERVAL = 8;

  private final VfsFile file;
  private final int codecId;
  private final Compressor compressor; // null for CODEC_NONE
  private int incompressibleRun;
  private int skippedSinceProbe;
  private final CRC32C crc = new CRC32C();
  private final int targetBlockBytes;
  private final ByteSink raw;
  private final ByteSink out = new ByteSink(OUTPUT_FLUSH_BYTES + 64 * 1024);
  private long flushedBytes;
  private int recordsInBlock;
  private int blockCount;
  private long rawBytes;

  /** Starts writing blocks at the current end of {@code file}, whose first bytes the caller wrote. */
  public BlockWriter(VfsFile file, long startOffset, int codecId, int targetBlockBytes) {
    this.file = file;
    this.codecId = codecId;
    this.compressor = BlockCodec.newCompressor(codecId);
    this.targetBlockBytes = targetBlockBytes;
    this.raw = new ByteSink(targetBlockBytes + 1024);
    this.flushedBytes = startOffset;
  }

  /** File offset at which the block now being filled will start. */
  public long blockOffset() {
    return flushedBytes + out.size();
  }

  /** Begins a record: seals the current block if it is full. Returns the record's offset in its block. */
  public int startRecord() throws IOException {
    if (raw.size() >= targetBlockBytes) {
      sealBlock();
    }
    recordsInBlock++;
    return raw.size();
  }

  /** The raw content of the block being filled; write the record started last into it. */
  public ByteSink raw() {
    return raw;
  }

  /**
   * Appends an already framed block unchanged (its checksum was verified by the caller), after
   * sealing the block being filled. Returns the new block's file offset.
   */
  public long copyBlock(byte[] framed, int rawLength) throws IOException {
    sealBlock();
    long at = blockOffset();
    out.put(framed);
    blockCount++;
    rawBytes += rawLength;
    flushIfFull();
    return at;
  }

  /** Seals the block being filled, if any. */
  public void sealBlock() throws IOException {
    if (recordsInBlock == 0) {
      return;
    }
    int rawLength = raw.size();
    int at = out.skip(SegmentFormat.BLOCK_HEADER_BYTES);
    int codec = SegmentFormat.CODEC_NONE;
    int storedLength = rawLength;
    if (shouldTryCompressing()) {
      // Compress straight into the output buffer; fall back to the raw bytes if that saves too little.
      int max = compressor.maxCompressedLength(rawLength);
      int body = out.skip(max);
      int n = compressor.compress(raw.array(), 0, rawLength, out.array(), body, max);
      out.truncate(body);
      if (BlockCodec.worthCompressing(rawLength, n)) {
        codec = codecId;
        storedLength = n;
        out.skip(n);
        incompressibleRun = 0;
      } else {
        incompressibleRun++;
      }
    }
    if (codec == SegmentFormat.CODEC_NONE) {
      out.put(raw.array(), 0, rawLength);
    }
    byte[] o = out.array();
    o[at] = (byte) codec;
    Bytes.putInt(o, at + 1, recordsInBlock);
    Bytes.putInt(o, at + 5, rawLength);
    Bytes.putInt(o, at + 9, storedLength);
    crc.reset();
    crc.update(o, at, 13);
    crc.update(o, at + SegmentFormat.BLOCK_HEADER_BYTES, storedLength);
    Bytes.putInt(o, at + 13, (int) crc.getValue());
    blockCount++;
    rawBytes += rawLength;
    raw.reset();
    recordsInBlock = 0;
    flushIfFull();
  }

  /**
   * Whether to try compressing the block being sealed: always, until {@link #INCOMPRESSIBLE_RUN}
   * blocks in a row did not compress (random, already compressed or encrypted values); then only
   * every {@link #PROBE_INTERVAL}th block, to notice when the data changes.
   */
  private boolean shouldTryCompressing() {
    if (compressor == null) {
      return false;
    }
    if (incompressibleRun < INCOMPRESSIBLE_RUN) {
      return true;
    }
    if (++skippedSinceProbe < PROBE_INTERVAL) {
      return false;
    }
    skippedSinceProbe = 0;
    return true;
  }

  /** Seals the last block and appends everything buffered. Returns the file offset after the last block. */
  public long finish() throws IOException {
    sealBlock();
    flushOutput();
    return flushedBytes;
  }

  public int blockCount() {
    return blockCount;
  }

  public long rawBytes() {
    return rawBytes;
  }

  private void flushIfFull() throws IOException {
    if (out.size() >= OUTPUT_FLUSH_BYTES) {
      flushOutput();
    }
  }

  private void flushOutput() throws IOException {
    if (out.size() > 0) {
      file.append(out.array(), 0, out.size());
      flushedBytes += out.size();
      out.reset();
    }
  }
}
