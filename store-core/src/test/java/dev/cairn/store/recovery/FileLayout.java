package dev.cairn.store.recovery;

import dev.cairn.store.internal.checkpoint.CheckpointFormat;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.wal.WalFormat;
import dev.cairn.store.internal.wal.WalReader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the parts of an intact WAL, segment or checkpoint file lie, decoded independently of the
 * engine's readers from the layouts in docs/FORMAT.md. The suites use it to aim damage at a chosen
 * record, block header or footer, and to know which commits a cut WAL still holds completely.
 */
final class FileLayout {
  /** One WAL record: it starts at {@code offset} and ends before {@code end()}. */
  record WalSpan(long offset, int payloadLength, long sequence) {
    long end() {
      return offset + WalFormat.RECORD_HEADER_BYTES + payloadLength;
    }

    long payloadOffset() {
      return offset + WalFormat.RECORD_HEADER_BYTES;
    }
  }

  /** One framed block of a segment or checkpoint. */
  record Block(long offset, int codec, int recordCount, int rawLength, int storedLength) {
    long bodyOffset() {
      return offset + SegmentFormat.BLOCK_HEADER_BYTES;
    }

    long end() {
      return bodyOffset() + storedLength;
    }
  }

  /** The parts of a segment or checkpoint: header and meta before {@code blocksStart}, blocks, footer. */
  record Framed(long blocksStart, List<Block> blocks, long footerOffset, long fileLength) {}

  private FileLayout() {}

  /** The commit records of an intact WAL file, in file order; durability marks are left out. */
  static List<WalSpan> walRecords(byte[] wal) {
    List<WalSpan> records = new ArrayList<>(walSpans(wal));
    records.removeIf(span -> WalReader.isMark(wal, (int) span.offset(), wal.length - (int) span.offset()));
    return records;
  }

  /**
   * Every record of an intact WAL file, commits and durability marks (sequence 0), in file order,
   * up to the zeros that end a memory-mapped WAL copied while it was open.
   */
  static List<WalSpan> walSpans(byte[] wal) {
    ByteBuffer b = ByteBuffer.wrap(wal);
    List<WalSpan> records = new ArrayList<>();
    int pos = WalFormat.HEADER_BYTES;
    while (pos < wal.length) {
      int payloadLength = b.getInt(pos);
      if (payloadLength == 0 && zerosFrom(wal, pos)) {
        break;
      }
      WalSpan span = new WalSpan(pos, payloadLength, b.getLong(pos + WalFormat.RECORD_HEADER_BYTES));
      if (span.end() > wal.length) {
        throw new AssertionError("WAL record at " + pos + " runs past the end of the file");
      }
      records.add(span);
      pos = (int) span.end();
    }
    return records;
  }

  private static boolean zerosFrom(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The layout of an intact segment file. */
  static Framed segment(byte[] seg) {
    long footerOffset = seg.length - SegmentFormat.FOOTER_BYTES;
    return new Framed(SegmentFormat.HEADER_BYTES, blocks(seg, SegmentFormat.HEADER_BYTES, footerOffset),
        footerOffset, seg.length);
  }

  /** The layout of an intact checkpoint file. */
  static Framed checkpoint(byte[] ckpt) {
    int metaLength = ByteBuffer.wrap(ckpt).getInt(CheckpointFormat.HEADER_BYTES);
    long blocksStart = CheckpointFormat.HEADER_BYTES + 8L + metaLength;
    long footerOffset = ckpt.length - CheckpointFormat.FOOTER_BYTES;
    return new Framed(blocksStart, blocks(ckpt, blocksStart, footerOffset), footerOffset, ckpt.length);
  }

  /** The file numbers of the segments an intact checkpoint lists, in its order. */
  static List<Long> checkpointSegments(byte[] ckpt) {
    ByteBuffer b = ByteBuffer.wrap(ckpt);
    int body = CheckpointFormat.HEADER_BYTES + 8;
    int count = b.getInt(body + 24);
    List<Long> numbers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      numbers.add(b.getLong(body + 28 + 16 * i));
    }
    return numbers;
  }

  private static List<Block> blocks(byte[] file, long from, long to) {
    ByteBuffer b = ByteBuffer.wrap(file);
    List<Block> blocks = new ArrayList<>();
    long pos = from;
    while (pos < to) {
      int at = (int) pos;
      Block block = new Block(pos, file[at] & 0xFF, b.getInt(at + 1), b.getInt(at + 5), b.getInt(at + 9));
      if (block.end() > to) {
        throw new AssertionError("block at " + pos + " runs past the block area ending at " + to);
      }
      blocks.add(block);
      pos = block.end();
    }
    return blocks;
  }
}
