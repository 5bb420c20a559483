package dev.cairn.store.internal.fuzz;

import dev.cairn.store.internal.checkpoint.CheckpointFormat;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.util.Bytes;
import dev.cairn.store.internal.wal.WalFormat;
import java.util.zip.CRC32C;

/**
 * Rewrites the checksum fields of a file so that they match the bytes they cover, wherever the
 * file's length fields let them be found. A fuzzer almost never guesses a CRC32C, so without this
 * it would only explore the checksum checks; with it, mutated lengths, counts, varints and
 * compressed bytes reach the decoders behind them. Every method works in place and tolerates any
 * input: where a length field points outside the file, repair stops.
 */
public final class ChecksumRepair {
  private ChecksumRepair() {}

  /** Repairs a WAL file: the header checksum and every record's, following the record chain. */
  public static byte[] wal(byte[] b) {
    if (b.length < WalFormat.HEADER_BYTES) {
      return b;
    }
    Bytes.putInt(b, 12, Bytes.crc32c(b, 0, 12));
    int pos = WalFormat.HEADER_BYTES;
    while (b.length - pos >= WalFormat.RECORD_HEADER_BYTES) {
      int payloadLength = Bytes.getInt(b, pos);
      if (payloadLength < 0 || payloadLength > b.length - pos - WalFormat.RECORD_HEADER_BYTES) {
        break;
      }
      Bytes.putInt(b, pos + 4, WalFormat.recordCrc(b, pos, payloadLength));
      pos += WalFormat.RECORD_HEADER_BYTES + payloadLength;
    }
    return b;
  }

  /** Repairs the blocks of {@code b[from, end)}, following the chain of stored lengths. */
  public static void blocks(byte[] b, int from, int end) {
    int pos = from;
    while (pos >= 0 && end - pos >= SegmentFormat.BLOCK_HEADER_BYTES) {
      pos = block(b, pos, end);
    }
  }

  /** Repairs the block at {@code pos}; returns the offset after it, or -1 if it does not fit before {@code end}. */
  public static int block(byte[] b, int pos, int end) {
    if (end - pos < SegmentFormat.BLOCK_HEADER_BYTES) {
      return -1;
    }
    int storedLength = Bytes.getInt(b, pos + 9);
    if (storedLength < 0 || storedLength > end - pos - SegmentFormat.BLOCK_HEADER_BYTES) {
      return -1;
    }
    CRC32C crc = new CRC32C();
    crc.update(b, pos, 13);
    crc.update(b, pos + SegmentFormat.BLOCK_HEADER_BYTES, storedLength);
    Bytes.putInt(b, pos + 13, (int) crc.getValue());
    return pos + SegmentFormat.BLOCK_HEADER_BYTES + storedLength;
  }

  /** Repairs a segment file: header, blocks up to the footer, footer. */
  public static byte[] segment(byte[] b) {
    if (b.length < SegmentFormat.HEADER_BYTES + SegmentFormat.FOOTER_BYTES) {
      return b;
    }
    Bytes.putInt(b, 12, Bytes.crc32c(b, 0, 12));
    int footer = b.length - SegmentFormat.FOOTER_BYTES;
    blocks(b, SegmentFormat.HEADER_BYTES, footer);
    Bytes.putInt(b, footer + 32, Bytes.crc32c(b, footer, 32));
    return b;
  }

  /** Repairs a checkpoint file: header, meta body (if its length fits), blocks up to the footer, footer. */
  public static byte[] checkpoint(byte[] b) {
    int metaOffset = CheckpointFormat.HEADER_BYTES + 8;
    if (b.length < metaOffset + CheckpointFormat.FOOTER_BYTES) {
      return b;
    }
    Bytes.putInt(b, 12, Bytes.crc32c(b, 0, 12));
    int footer = b.length - CheckpointFormat.FOOTER_BYTES;
    int metaLength = Bytes.getInt(b, 16);
    if (metaLength >= 0 && metaLength <= footer - metaOffset) {
      Bytes.putInt(b, 20, Bytes.crc32c(b, metaOffset, metaLength));
      blocks(b, metaOffset + metaLength, footer);
    }
    Bytes.putInt(b, footer + 28, Bytes.crc32c(b, footer, 28));
    return b;
  }
}
