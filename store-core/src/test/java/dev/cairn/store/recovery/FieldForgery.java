package dev.cairn.store.recovery;

import dev.cairn.store.internal.checkpoint.CheckpointFormat;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.util.ByteSink;
import dev.cairn.store.internal.wal.WalFormat;
import dev.cairn.store.recovery.FileLayout.Block;
import dev.cairn.store.recovery.FileLayout.WalSpan;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Rewrites one field of a store file in place and recomputes every checksum that covers it, so
 * that only a reader's range checks stand between a forged length or count and an allocation.
 * Forgeries never change a file's length, so the checkpoint's recorded segment lengths still
 * match. The store is closed while these run.
 */
final class FieldForgery {
  private FieldForgery() {}

  /**
   * Replaces the payload of a WAL record, keeping its length, with {@code payload} followed by
   * zero bytes, and recomputes the record checksum.
   */
  static void walPayload(Path wal, WalSpan record, byte[] payload) {
    byte[] bytes = new byte[WalFormat.RECORD_HEADER_BYTES + record.payloadLength()];
    ByteBuffer.wrap(bytes).putInt(0, record.payloadLength());
    System.arraycopy(payload, 0, bytes, WalFormat.RECORD_HEADER_BYTES, payload.length);
    ByteBuffer.wrap(bytes).putInt(4, WalFormat.recordCrc(bytes, 0, record.payloadLength()));
    StoreDirs.overwrite(wal, record.offset(), bytes);
  }

  /** Sets the u32 at {@code fieldOffset} of a block header and recomputes the block checksum. */
  static void blockHeaderInt(Path file, Block block, int fieldOffset, int value) {
    byte[] all = StoreDirs.read(file);
    int at = (int) block.offset();
    ByteBuffer.wrap(all).putInt(at + fieldOffset, value);
    ByteBuffer.wrap(all).putInt(at + 13, blockCrc(all, at, block.storedLength()));
    StoreDirs.overwrite(file, at, Arrays.copyOfRange(all, at, at + SegmentFormat.BLOCK_HEADER_BYTES));
  }

  /**
   * Replaces a block by one of the same framed length with codec {@code codec}, whose stored bytes
   * are {@code stored} followed by zero bytes, declaring {@code rawLength} raw bytes and one record.
   */
  static void replaceBlock(Path file, Block block, int codec, int rawLength, byte[] stored) {
    byte[] framed = new byte[SegmentFormat.BLOCK_HEADER_BYTES + block.storedLength()];
    ByteBuffer b = ByteBuffer.wrap(framed);
    framed[0] = (byte) codec;
    b.putInt(1, 1).putInt(5, rawLength).putInt(9, block.storedLength());
    System.arraycopy(stored, 0, framed, SegmentFormat.BLOCK_HEADER_BYTES, stored.length);
    b.putInt(13, blockCrc(framed, 0, block.storedLength()));
    StoreDirs.overwrite(file, block.offset(), framed);
  }

  /** Replaces a block by an uncompressed one of the same length whose raw content starts with {@code raw}. */
  static void replaceBlockContent(Path file, Block block, byte[] raw) {
    replaceBlock(file, block, SegmentFormat.CODEC_NONE, block.storedLength(), raw);
  }

  /** Sets a u32 (or, if {@code wide}, u64) of a segment footer and recomputes the footer checksum. */
  static void segmentFooter(Path seg, int fieldOffset, long value, boolean wide) {
    byte[] all = StoreDirs.read(seg);
    int footer = all.length - SegmentFormat.FOOTER_BYTES;
    putField(all, footer + fieldOffset, value, wide);
    ByteBuffer.wrap(all).putInt(footer + 32, crc(all, footer, 32));
    StoreDirs.overwrite(seg, footer, Arrays.copyOfRange(all, footer, all.length));
  }

  /** Sets a u32 (or, if {@code wide}, u64) of a checkpoint footer and recomputes the footer checksum. */
  static void checkpointFooter(Path ckpt, int fieldOffset, long value, boolean wide) {
    byte[] all = StoreDirs.read(ckpt);
    int footer = all.length - CheckpointFormat.FOOTER_BYTES;
    putField(all, footer + fieldOffset, value, wide);
    ByteBuffer.wrap(all).putInt(footer + 28, crc(all, footer, 28));
    StoreDirs.overwrite(ckpt, footer, Arrays.copyOfRange(all, footer, all.length));
  }

  /** Sets the u32 at {@code bodyOffset} of the checkpoint meta body and recomputes the meta checksum. */
  static void checkpointMetaInt(Path ckpt, int bodyOffset, int value) {
    byte[] all = StoreDirs.read(ckpt);
    int body = CheckpointFormat.HEADER_BYTES + 8;
    int metaLength = ByteBuffer.wrap(all).getInt(CheckpointFormat.HEADER_BYTES);
    ByteBuffer.wrap(all).putInt(body + bodyOffset, value);
    ByteBuffer.wrap(all).putInt(CheckpointFormat.HEADER_BYTES + 4, crc(all, body, metaLength));
    StoreDirs.overwrite(ckpt, 0, Arrays.copyOf(all, body + metaLength));
  }

  /**
   * Rewrites a checkpoint as its header and meta followed by one uncompressed block holding
   * {@code entries} (the raw entry bytes, {@code entryCount} of them) and a matching footer. The
   * file may get shorter or longer: a checkpoint's length is recorded nowhere.
   */
  static void checkpointEntries(Path ckpt, byte[] entries, int entryCount) {
    byte[] all = StoreDirs.read(ckpt);
    long blocksStart = FileLayout.checkpoint(all).blocksStart();
    ByteSink out = new ByteSink(all.length + entries.length);
    out.put(all, 0, (int) blocksStart);
    byte[] header = new byte[SegmentFormat.BLOCK_HEADER_BYTES + entries.length];
    ByteBuffer.wrap(header).putInt(1, entryCount).putInt(5, entries.length).putInt(9, entries.length);
    System.arraycopy(entries, 0, header, SegmentFormat.BLOCK_HEADER_BYTES, entries.length);
    ByteBuffer.wrap(header).putInt(13, blockCrc(header, 0, entries.length));
    out.put(header);
    long dataEnd = blocksStart + header.length;
    ByteSink footer = new ByteSink(CheckpointFormat.FOOTER_BYTES);
    footer.putLong(dataEnd).putInt(1).putLong(entryCount).put(CheckpointFormat.END_MAGIC);
    footer.putInt(crc(footer.array(), 0, footer.size()));
    out.put(footer.array(), 0, footer.size());
    StoreDirs.truncate(ckpt, 0);
    StoreDirs.overwrite(ckpt, 0, Arrays.copyOf(out.array(), out.size()));
  }

  /** Encodes values as unsigned LEB128 varints, back to back. */
  static byte[] varints(long... values) {
    ByteSink sink = new ByteSink(10 * values.length);
    for (long v : values) {
      sink.putVarint(v);
    }
    return Arrays.copyOf(sink.array(), sink.size());
  }

  /** Concatenates byte arrays. */
  static byte[] concat(byte[]... parts) {
    ByteSink sink = new ByteSink(64);
    for (byte[] p : parts) {
      sink.put(p);
    }
    return Arrays.copyOf(sink.array(), sink.size());
  }

  static byte[] u32(int v) {
    return ByteBuffer.allocate(4).putInt(v).array();
  }

  static byte[] u64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private static void putField(byte[] all, int at, long value, boolean wide) {
    if (wide) {
      ByteBuffer.wrap(all).putLong(at, value);
    } else {
      ByteBuffer.wrap(all).putInt(at, (int) value);
    }
  }

  private static int blockCrc(byte[] bytes, int at, int storedLength) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, at, 13);
    crc.update(bytes, at + SegmentFormat.BLOCK_HEADER_BYTES, storedLength);
    return (int) crc.getValue();
  }

  private static int crc(byte[] bytes, int at, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, at, length);
    return (int) crc.getValue();
  }
}
