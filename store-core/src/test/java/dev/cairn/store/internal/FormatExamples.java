package dev.cairn.store.internal;

import dev.cairn.store.WriteBatch;
import dev.cairn.store.internal.checkpoint.CheckpointFormat;
import dev.cairn.store.internal.checkpoint.CheckpointMeta;
import dev.cairn.store.internal.checkpoint.CheckpointWriter;
import dev.cairn.store.internal.fs.NioVfs;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.segment.BlockWriter;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.segment.SegmentRecord;
import dev.cairn.store.internal.segment.SegmentWriter;
import dev.cairn.store.internal.wal.WalFormat;
import dev.cairn.store.internal.wal.WalRecord;
import io.airlift.compress.lz4.Lz4Compressor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The worked examples of docs/FORMAT.md, each built twice: by the real writers, and field by field
 * from the format's field tables ({@link HexLayout}, which also yields the annotated dump). The
 * example store: commit 1 puts k1=v1 and k3=v3, commit 2 puts k2=v2 and deletes k3, both in WAL
 * file 1; the flush packs k1 and k2 into segment 3, and checkpoint 4 records them.
 */
final class FormatExamples {
  static final String WAL_NAME = "00000000000000000001.wal";
  static final String SEGMENT_NAME = "00000000000000000003.seg";
  static final String CHECKPOINT_NAME = "00000000000000000004.ckpt";

  static final long SEGMENT_FILE_NUMBER = 3;
  static final long SEGMENT_LENGTH = 77;
  static final long SEGMENT_BLOCK_OFFSET = 16;
  static final int SECOND_RECORD_OFFSET = 4;
  /** The example segment as version 1 wrote it (records that hold their keys). */
  static final long SEGMENT_V1_LENGTH = 97;
  static final int SECOND_RECORD_OFFSET_V1 = 14;
  static final CheckpointMeta CHECKPOINT_META = new CheckpointMeta(
      2, 2, 5, List.of(new CheckpointMeta.SegmentRef(SEGMENT_FILE_NUMBER, SEGMENT_LENGTH)));

  static final long LZ4_SEQUENCE = 7;
  static final byte[] LZ4_VALUE = ascii("abcd".repeat(8));

  private static final int BLOCK_BYTES = 32 * 1024;

  private FormatExamples() {}

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  // ---------------------------------------------------------------- WAL file

  static byte[] writtenWal() {
    WalRecord first = WalRecord.encode(WriteBatch.create().put("k1", "v1").put("k3", "v3"));
    first.seal(1);
    WalRecord second = WalRecord.encode(WriteBatch.create().put("k2", "v2").delete("k3"));
    second.seal(2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(WalFormat.header());
    out.writeBytes(first.bytes());
    out.writeBytes(second.bytes());
    return out.toByteArray();
  }

  /** WAL file 2 as the example store's first fsync pass leaves it: the header and a mark for WAL 1. */
  static byte[] writtenWalMark() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(WalFormat.header());
    out.writeBytes(WalFormat.mark(1, writtenWal().length));
    return out.toByteArray();
  }

  static HexLayout walLayout() {
    HexLayout l = new HexLayout();
    header(l, "CAIRNWAL", 2);
    walRecord(l, 1, new String[] {"k1", "v1", "k3", "v3"});
    walRecord(l, 2, new String[] {"k2", "v2", "k3", null});
    return l;
  }

  /** WAL file 2 of the example store: its header and a durability mark for WAL file 1 (81 bytes). */
  static HexLayout walMarkLayout() {
    HexLayout l = new HexLayout();
    header(l, "CAIRNWAL", 2);
    int start = l.size();
    int length = l.u32Later();
    int crc = l.u32Later();
    l.u64("zero: a mark, not a commit", 0);
    l.u64("walNumber 1", 1);
    l.u64("walLength 81", 81);
    l.fill(length, 24, String.format("mark at %04x: payloadLength 24", start));
    l.fillCrc32c(crc, start, start + 4, start + 8, l.size());
    return l;
  }

  /** {@code ops} holds key, value pairs; a null value is a delete. */
  private static void walRecord(HexLayout l, long sequence, String[] ops) {
    int start = l.size();
    int length = l.u32Later();
    int crc = l.u32Later();
    l.u64("sequence " + sequence, sequence);
    l.u32("opCount " + ops.length / 2, ops.length / 2);
    for (int i = 0; i < ops.length; i += 2) {
      boolean put = ops[i + 1] != null;
      l.u8("kind " + (put ? "1 PUT" : "2 DELETE"), put ? 1 : 2);
      l.varint("keyLength 2", 2);
      l.ascii("key", ops[i]);
      if (put) {
        l.varint("valueLength 2", 2);
        l.ascii("value", ops[i + 1]);
      }
    }
    int payloadLength = l.size() - start - 8;
    l.fill(length, payloadLength,
        String.format("record at %04x: payloadLength %d", start, payloadLength));
    l.fillCrc32c(crc, start, start + 4, start + 8, l.size());
  }

  private static void header(HexLayout l, String magic) {
    header(l, magic, 1);
  }

  private static void header(HexLayout l, String magic, int version) {
    l.ascii("magic", magic);
    l.u32("version " + version, version);
    l.fillCrc32c(l.u32Later(), 0, 12);
  }

  // ---------------------------------------------------------------- blocks

  /** A framed LZ4 block holding one record, as {@link BlockWriter} writes it at file offset 0. */
  static byte[] writtenLz4Block(Path dir) throws IOException {
    Path path = dir.resolve("lz4-block");
    try (VfsFile file = new NioVfs().create(path)) {
      BlockWriter blocks = new BlockWriter(file, 0, SegmentFormat.CODEC_LZ4, BLOCK_BYTES);
      blocks.startRecord();
      SegmentRecord.write(blocks.raw(), LZ4_SEQUENCE, LZ4_VALUE, 0, LZ4_VALUE.length);
      blocks.finish();
    }
    return Files.readAllBytes(path);
  }

  static HexLayout lz4BlockLayout() {
    byte[] content = lz4BlockContentLayout().toByteArray();
    Lz4Compressor lz4 = new Lz4Compressor();
    byte[] stored = new byte[lz4.maxCompressedLength(content.length)];
    stored = Arrays.copyOf(stored, lz4.compress(content, 0, content.length, stored, 0, stored.length));

    HexLayout l = new HexLayout();
    int start = l.size();
    l.u8("codec 1 LZ4", 1);
    l.u32("recordCount 1", 1);
    l.u32("rawLength " + content.length, content.length);
    l.u32("storedLength " + stored.length, stored.length);
    int crc = l.u32Later();
    l.bytes("stored bytes: raw LZ4 block format", stored);
    l.fillCrc32c(crc, start, start + 13, start + 17, l.size());
    return l;
  }

  /** The raw content of the LZ4 example block: its one record, annotated. */
  static HexLayout lz4BlockContentLayout() {
    HexLayout raw = new HexLayout();
    segmentRecord(raw, 0, LZ4_SEQUENCE, "abcd".repeat(8));
    return raw;
  }

  /** Appends a record to block content that starts at file offset {@code contentStart}. */
  private static void segmentRecord(HexLayout l, int contentStart, long sequence, String value) {
    l.varint("record at recordOffset " + (l.size() - contentStart) + ": sequence " + sequence, sequence);
    l.varint("valueLength " + value.length(), value.length());
    l.ascii("value", value);
  }

  /** Appends a version 1 record, which holds its key, to block content starting at {@code contentStart}. */
  private static void segmentRecordVersion1(HexLayout l, int contentStart, long sequence, String key, String value) {
    l.u64("record at recordOffset " + (l.size() - contentStart) + ": sequence " + sequence, sequence);
    l.varint("keyLength " + key.length(), key.length());
    l.ascii("key", key);
    l.varint("valueLength " + value.length(), value.length());
    l.ascii("value", value);
  }

  // ---------------------------------------------------------------- segment file

  static byte[] writtenSegment(Path dir) throws IOException {
    Path path = dir.resolve(SEGMENT_NAME);
    SegmentWriter writer = new SegmentWriter(new NioVfs(), path, SegmentFormat.CODEC_NONE, BLOCK_BYTES);
    SegmentWriter.Location first = writer.add(1, ascii("v1"));
    SegmentWriter.Location second = writer.add(2, ascii("v2"));
    writer.finish();
    if (!first.equals(new SegmentWriter.Location(SEGMENT_BLOCK_OFFSET, 0))
        || !second.equals(new SegmentWriter.Location(SEGMENT_BLOCK_OFFSET, SECOND_RECORD_OFFSET))) {
      throw new AssertionError("records landed at " + first + " and " + second);
    }
    return Files.readAllBytes(path);
  }

  static HexLayout segmentLayout() {
    return segmentLayout(SegmentFormat.VERSION);
  }

  /**
   * The example segment in the layout of {@code version}: version 1 records hold their keys, as
   * files written before version 2 do.
   */
  static HexLayout segmentLayout(int version) {
    HexLayout l = new HexLayout();
    header(l, "CAIRNSEG", version);
    int start = l.size();
    l.u8("block at 0010: codec 0 NONE", 0);
    l.u32("recordCount 2", 2);
    int rawLength = l.u32Later();
    int storedLength = l.u32Later();
    int crc = l.u32Later();
    int contentStart = l.size();
    if (version == SegmentFormat.VERSION_1) {
      segmentRecordVersion1(l, contentStart, 1, "k1", "v1");
      segmentRecordVersion1(l, contentStart, 2, "k2", "v2");
    } else {
      segmentRecord(l, contentStart, 1, "v1");
      segmentRecord(l, contentStart, 2, "v2");
    }
    int content = l.size() - contentStart;
    l.fill(rawLength, content, "rawLength " + content);
    l.fill(storedLength, content, "storedLength " + content);
    l.fillCrc32c(crc, start, start + 13, contentStart, l.size());
    int footer = l.size();
    l.u64(String.format("footer at %04x: dataEnd %d", footer, footer), footer);
    l.u32("blockCount 1", 1);
    l.u32("recordCount 2", 2);
    l.u64("rawBytes " + content, content);
    l.ascii("magic", "CAIRNEND");
    l.fillCrc32c(l.u32Later(), footer, footer + 32);
    return l;
  }

  // ---------------------------------------------------------------- checkpoint file

  static byte[] writtenCheckpoint(Path dir) throws IOException {
    Vfs vfs = new NioVfs();
    Path tmp = dir.resolve(CHECKPOINT_NAME + ".tmp");
    CheckpointWriter writer = new CheckpointWriter(vfs, tmp, CHECKPOINT_META, SegmentFormat.CODEC_NONE);
    writer.add(ascii("k1"), 1, 0, SEGMENT_BLOCK_OFFSET, 0, 2);
    writer.add(ascii("k2"), 2, 0, SEGMENT_BLOCK_OFFSET, SECOND_RECORD_OFFSET, 2);
    writer.finish();
    return Files.readAllBytes(tmp);
  }

  static HexLayout checkpointLayout() {
    return checkpointLayout(CheckpointFormat.VERSION);
  }

  /**
   * The example checkpoint in the layout of {@code version}. Version 1 is the checkpoint that
   * version 1 wrote beside the version 1 segment example: absolute locations into that segment.
   */
  static HexLayout checkpointLayout(int version) {
    boolean v1 = version == CheckpointFormat.VERSION_1;
    long segmentLength = v1 ? SEGMENT_V1_LENGTH : SEGMENT_LENGTH;
    HexLayout l = new HexLayout();
    header(l, "CAIRNCKP", version);
    int metaLength = l.u32Later();
    int metaCrc = l.u32Later();
    int body = l.size();
    l.u64("meta: lastSequence 2", 2);
    l.u64("walStartNumber 2", 2);
    l.u64("nextFileNumber 5", 5);
    l.u32("segmentCount 1", 1);
    l.u64("segment 0: fileNumber 3", SEGMENT_FILE_NUMBER);
    l.u64("fileLength " + segmentLength, segmentLength);
    l.fill(metaLength, l.size() - body, "metaLength " + (l.size() - body));
    l.fillCrc32c(metaCrc, body, l.size());

    int start = l.size();
    l.u8(String.format("block at %04x: codec 0 NONE", start), 0);
    l.u32("recordCount 2", 2);
    int rawLength = l.u32Later();
    int storedLength = l.u32Later();
    int crc = l.u32Later();
    int contentStart = l.size();
    checkpointEntryStart(l, 0, 0, "k1", 1, v1);
    if (v1) {
      l.varint("blockOffset " + SEGMENT_BLOCK_OFFSET, SEGMENT_BLOCK_OFFSET);
      l.varint("recordOffset 0", 0);
    } else {
      l.varint("blockDelta +16 (zigzag 32): blockOffset 16", 32);
      l.varint("recordDelta 0: recordOffset 0", 0);
    }
    l.varint("valueLength 2", 2);
    checkpointEntryStart(l, 1, 1, "2", 2, v1);
    if (v1) {
      l.varint("blockOffset " + SEGMENT_BLOCK_OFFSET, SEGMENT_BLOCK_OFFSET);
      l.varint("recordOffset " + SECOND_RECORD_OFFSET_V1, SECOND_RECORD_OFFSET_V1);
    } else {
      l.varint("blockDelta 0: blockOffset 16", 0);
      l.varint("recordDelta 0: recordOffset " + SECOND_RECORD_OFFSET + ", where k1's record ends", 0);
    }
    l.varint("valueLength 2", 2);
    int content = l.size() - contentStart;
    l.fill(rawLength, content, "rawLength " + content);
    l.fill(storedLength, content, "storedLength " + content);
    l.fillCrc32c(crc, start, start + 13, contentStart, l.size());

    int footer = l.size();
    l.u64(String.format("footer at %04x: dataEnd %d", footer, footer), footer);
    l.u32("blockCount 1", 1);
    l.u64("entryCount 2", 2);
    l.ascii("magic", "CAIRNEND");
    l.fillCrc32c(l.u32Later(), footer, footer + 28);
    return l;
  }

  private static void checkpointEntryStart(HexLayout l, int index, int shared, String suffix, long sequence,
      boolean v1) {
    l.varint("entry " + index + ": sharedPrefix " + shared, shared);
    l.varint("suffixLength " + suffix.length(), suffix.length());
    l.ascii("suffix", suffix);
    l.varint("sequence " + sequence, sequence);
    l.varint(v1 ? "segmentIndex 0" : "slot 0: segment 0, cursor 0", 0);
  }
}
