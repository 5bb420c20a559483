package dev.cairn.store.internal;

import static dev.cairn.store.internal.FormatExamples.ascii;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.checkpoint.CheckpointFormat;
import dev.cairn.store.internal.checkpoint.CheckpointMeta;
import dev.cairn.store.internal.checkpoint.CheckpointReader;
import dev.cairn.store.internal.fs.NioVfs;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.segment.BlockReader;
import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.segment.SegmentRecord;
import dev.cairn.store.internal.util.Bytes;
import dev.cairn.store.internal.wal.WalReader;
import dev.cairn.store.internal.wal.WalRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decodes the worked examples printed in docs/FORMAT.md with the real readers, checks that today's
 * writers produce them byte for byte, and that each annotated dump is the field-by-field layout of
 * the format's field tables ({@link FormatExamples}). A failure here means the document and the
 * code have drifted: fix whichever is wrong; the expected dump in a failure message can be pasted
 * into the document. The recovery claims the document makes about the examples are checked too.
 */
class FormatGoldenTest {
  @TempDir Path dir;
  private final Vfs vfs = new NioVfs();

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static void assertDumpIsLayout(String example, HexLayout layout) {
    assertEquals(layout.render(), FormatDoc.exampleText(example),
        "the ```hex example:" + example + " block of " + FormatDoc.PATH
            + " is not the field-by-field layout; expected text shown first");
  }

  /** A copy of {@code b} with the version field of its 16-byte header changed, and the header CRC to match. */
  private static byte[] withVersion(byte[] b, int version) {
    byte[] copy = b.clone();
    Bytes.putInt(copy, 8, version);
    Bytes.putInt(copy, 12, Bytes.crc32c(copy, 0, 12));
    return copy;
  }

  private static byte[] flipped(byte[] b, int offset) {
    byte[] copy = b.clone();
    copy[offset] ^= 0x01;
    return copy;
  }

  @Nested
  class WalFile {
    private final byte[] doc = FormatDoc.exampleBytes("wal");
    private final Path path = Path.of(FormatExamples.WAL_NAME);

    @Test
    void walExampleInFormatDocDecodesToTheDocumentedRecords() {
      WalReader.Result result = WalReader.read(path, doc, true, 0);

      assertEquals(2, result.records().size());
      assertEquals(81, result.validEnd());
      assertFalse(result.tornTail());
      WalRecord first = result.records().get(0);
      assertEquals(1, first.sequence());
      assertArrayEquals(ascii("k1"), first.key(0));
      assertArrayEquals(ascii("v1"), first.value(0));
      assertArrayEquals(ascii("k3"), first.key(1));
      assertArrayEquals(ascii("v3"), first.value(1));
      WalRecord second = result.records().get(1);
      assertEquals(2, second.sequence());
      assertArrayEquals(ascii("k2"), second.key(0));
      assertArrayEquals(ascii("v2"), second.value(0));
      assertArrayEquals(ascii("k3"), second.key(1));
      assertNull(second.value(1), "the second operation of commit 2 is a delete");
    }

    @Test
    void walWriterProducesTheDocumentedBytes() {
      assertArrayEquals(doc, FormatExamples.writtenWal());
    }

    @Test
    void walDumpInFormatDocIsTheFieldTableLayout() {
      assertDumpIsLayout("wal", FormatExamples.walLayout());
    }

    @Test
    void walExampleCutInsideItsSecondRecordIsATornTailOfTheNewestWal() {
      WalReader.Result result = WalReader.read(path, Arrays.copyOf(doc, 0x40), true, 0);

      assertEquals(1, result.records().size());
      assertEquals(0x32, result.validEnd(), "the file is truncated where record 2 starts");
      assertTrue(result.tornTail());
    }

    @Test
    void walExampleCutInsideItsSecondRecordIsCorruptionInAnOlderWal() {
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> WalReader.read(path, Arrays.copyOf(doc, 0x40), false, 0));
      assertEquals(0x32, e.fileOffset());
    }

    @Test
    void walExampleWithADamagedFirstRecordIsCorruptionEvenInTheNewestWal() {
      byte[] damaged = flipped(doc, 0x29);
      CorruptionException newest = assertThrows(CorruptionException.class,
          () -> WalReader.read(path, damaged, true, 0));
      assertEquals(0x10, newest.fileOffset(), "record 2 is valid, so damage at record 1 is not a crash tail");
      CorruptionException older = assertThrows(CorruptionException.class,
          () -> WalReader.read(path, damaged, false, 0));
      assertEquals(0x10, older.fileOffset());
    }

    @Test
    void walExampleCutInsideItsHeaderIsAnEmptyTornNewestWal() {
      WalReader.Result result = WalReader.read(path, Arrays.copyOf(doc, 10), true, 0);

      assertTrue(result.records().isEmpty());
      assertEquals(0, result.validEnd());
      assertTrue(result.tornTail());
    }

    @Test
    void walExampleCutInsideItsHeaderIsCorruptionInAnOlderWal() {
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> WalReader.read(path, Arrays.copyOf(doc, 10), false, 0));
      assertEquals(0, e.fileOffset());
    }

    @Test
    void walWithAnUnknownVersionIsRejected() {
      byte[] version3 = withVersion(doc, 3);
      assertThrows(CorruptionException.class, () -> WalReader.read(path, version3, true, 0));
      assertThrows(CorruptionException.class, () -> WalReader.read(path, version3, false, 0));
    }

    @Test
    void walOfVersion1IsReadAsVersion2WithoutMarks() {
      WalReader.Result result = WalReader.read(path, withVersion(doc, 1), false, 0);

      assertEquals(1, result.version());
      assertEquals(2, result.records().size());
      assertEquals(81, result.validEnd());
    }
  }

  @Nested
  class WalMark {
    private final byte[] doc = FormatDoc.exampleBytes("wal-mark");
    private final Path path = Path.of("00000000000000000002.wal");

    @Test
    void markExampleInFormatDocDecodesToAMarkForWalFile1() {
      WalReader.Result result = WalReader.read(path, doc, true, 2);

      assertTrue(result.records().isEmpty());
      assertEquals(List.of(new WalReader.Mark(1, 81)), result.marks());
      assertEquals(48, result.validEnd());
      assertFalse(result.tornTail());
    }

    @Test
    void walWriterProducesTheDocumentedMark() {
      assertArrayEquals(doc, FormatExamples.writtenWalMark());
    }

    @Test
    void markDumpInFormatDocIsTheFieldTableLayout() {
      assertDumpIsLayout("wal-mark", FormatExamples.walMarkLayout());
    }

    @Test
    void aBadRecordBeforeAValidMarkIsCorruptionEvenInTheNewestWal() {
      byte[] wal = FormatDoc.exampleBytes("wal");
      byte[] damagedThenMarked = Arrays.copyOf(flipped(wal, 0x4b), wal.length + 32);
      System.arraycopy(doc, 16, damagedThenMarked, wal.length, 32);

      CorruptionException e = assertThrows(CorruptionException.class,
          () -> WalReader.read(path, damagedThenMarked, true, 0));
      assertEquals(0x32, e.fileOffset(), "a mark is appended after records, so the damaged record is no torn tail");
    }

    @Test
    void aMarkInAVersion1WalIsDamage() {
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> WalReader.read(path, withVersion(doc, 1), false, 0));
      assertEquals(16, e.fileOffset());
    }
  }

  @Nested
  class Blocks {
    private final byte[] doc = FormatDoc.exampleBytes("lz4-block");

    private BlockReader.Framed readFramed(byte[] bytes) throws IOException {
      Path path = write("block", bytes);
      try (VfsFile file = vfs.open(path)) {
        return BlockReader.readFramed(path, file, 0, bytes.length);
      }
    }

    @Test
    void lz4BlockExampleInFormatDocDecodesToTheDocumentedContent() throws IOException {
      BlockReader.Framed block = readFramed(doc);
      byte[] raw = block.decompress(dir.resolve("block"), 0);

      assertEquals(1, block.codec());
      assertEquals(1, block.recordCount());
      assertEquals(34, block.rawLength());
      assertArrayEquals(FormatDoc.exampleBytes("lz4-block-content"), raw);
      SegmentRecord record = SegmentRecord.read(SegmentFormat.VERSION, dir.resolve("block"), 0, raw, 0);
      assertEquals(FormatExamples.LZ4_SEQUENCE, record.sequence());
      assertArrayEquals(FormatExamples.LZ4_VALUE, record.value());
      assertEquals(raw.length, record.nextOffset());
    }

    @Test
    void blockWriterProducesTheDocumentedLz4Block() throws IOException {
      assertArrayEquals(doc, FormatExamples.writtenLz4Block(dir),
          "if only a codec library upgrade changed the compressed bytes, regenerate the example;"
              + " the old bytes must still decode");
    }

    @Test
    void lz4BlockDumpsInFormatDocAreTheFieldTableLayout() {
      assertDumpIsLayout("lz4-block", FormatExamples.lz4BlockLayout());
      assertDumpIsLayout("lz4-block-content", FormatExamples.lz4BlockContentLayout());
    }

    @Test
    void blockWithADamagedStoredByteFailsItsChecksum() {
      CorruptionException e = assertThrows(CorruptionException.class, () -> readFramed(flipped(doc, 0x20)));
      assertEquals(0, e.fileOffset());
    }

    @Test
    void blockWithAnUnknownCodecIsRejected() {
      byte[] codec3 = doc.clone();
      codec3[0] = 3;
      assertThrows(CorruptionException.class, () -> readFramed(codec3));
    }
  }

  @Nested
  class SegmentFile {
    private final byte[] doc = FormatDoc.exampleBytes("segment");

    private Segment open(byte[] bytes, long expectedLength) throws IOException {
      Path path = write(FormatExamples.SEGMENT_NAME, bytes);
      return Segment.open(vfs, path, FormatExamples.SEGMENT_FILE_NUMBER, expectedLength);
    }

    @Test
    void segmentExampleInFormatDocDecodesToTheDocumentedRecords() throws IOException {
      Segment segment = open(doc, FormatExamples.SEGMENT_LENGTH);
      try {
        assertEquals(SegmentFormat.VERSION, segment.version());
        assertEquals(0x29, segment.dataEnd());
        assertEquals(1, segment.blockCount());
        assertEquals(2, segment.recordCount());
        assertEquals(8, segment.rawBytes());
        byte[] raw = segment.readBlock(FormatExamples.SEGMENT_BLOCK_OFFSET);
        SegmentRecord first = SegmentRecord.read(segment.version(), segment.path(), FormatExamples.SEGMENT_BLOCK_OFFSET,
            raw, 0);
        assertEquals(1, first.sequence());
        assertNull(first.key());
        assertArrayEquals(ascii("v1"), first.value());
        assertEquals(FormatExamples.SECOND_RECORD_OFFSET, first.nextOffset());
        SegmentRecord second = SegmentRecord.read(segment.version(), segment.path(), FormatExamples.SEGMENT_BLOCK_OFFSET,
            raw, first.nextOffset());
        assertEquals(2, second.sequence());
        assertArrayEquals(ascii("v2"), second.value());
        assertEquals(raw.length, second.nextOffset());
      } finally {
        segment.release();
      }
    }

    @Test
    void version1SegmentExampleInFormatDocStillReads_recordsHoldTheirKeys() throws IOException {
      byte[] version1 = FormatDoc.exampleBytes("segment-v1");
      Segment segment = open(version1, version1.length);
      try {
        assertEquals(SegmentFormat.VERSION_1, segment.version());
        assertEquals(28, segment.rawBytes());
        byte[] raw = segment.readBlock(FormatExamples.SEGMENT_BLOCK_OFFSET);
        SegmentRecord first = SegmentRecord.read(segment.version(), segment.path(), FormatExamples.SEGMENT_BLOCK_OFFSET,
            raw, 0);
        assertArrayEquals(ascii("k1"), first.key());
        assertEquals(14, first.nextOffset());
        assertArrayEquals(ascii("v2"), SegmentRecord.valueOf(segment, FormatExamples.SEGMENT_BLOCK_OFFSET, raw, 14, 2,
            ascii("k2")));
        CorruptionException e = assertThrows(CorruptionException.class, () -> SegmentRecord.valueOf(segment,
            FormatExamples.SEGMENT_BLOCK_OFFSET, raw, 14, 2, ascii("k1")));
        assertEquals(FormatExamples.SEGMENT_BLOCK_OFFSET, e.fileOffset());
      } finally {
        segment.release();
      }
    }

    @Test
    void version1SegmentDumpInFormatDocIsTheFieldTableLayout() {
      assertDumpIsLayout("segment-v1", FormatExamples.segmentLayout(SegmentFormat.VERSION_1));
    }

    @Test
    void recordOfAnotherSequenceThanTheIndexExpectsIsCorruption() throws IOException {
      Segment segment = open(doc, FormatExamples.SEGMENT_LENGTH);
      try {
        byte[] raw = segment.readBlock(FormatExamples.SEGMENT_BLOCK_OFFSET);
        assertArrayEquals(ascii("v1"), SegmentRecord.valueOf(segment, FormatExamples.SEGMENT_BLOCK_OFFSET, raw, 0, 1,
            ascii("k1")));
        CorruptionException e = assertThrows(CorruptionException.class, () -> SegmentRecord.valueOf(segment,
            FormatExamples.SEGMENT_BLOCK_OFFSET, raw, FormatExamples.SECOND_RECORD_OFFSET, 1, ascii("k1")));
        assertEquals(FormatExamples.SEGMENT_BLOCK_OFFSET, e.fileOffset());
      } finally {
        segment.release();
      }
    }

    @Test
    void segmentWriterProducesTheDocumentedBytes() throws IOException {
      assertArrayEquals(doc, FormatExamples.writtenSegment(dir));
    }

    @Test
    void segmentDumpInFormatDocIsTheFieldTableLayout() {
      assertDumpIsLayout("segment", FormatExamples.segmentLayout());
    }

    @Test
    void segmentCutShortIsCorruptionNotATornTail() {
      byte[] cut = Arrays.copyOf(doc, doc.length - 1);
      assertThrows(CorruptionException.class, () -> open(cut, -1));
    }

    @Test
    void segmentWhoseLengthDiffersFromTheCheckpointIsCorruption() {
      assertThrows(CorruptionException.class, () -> open(doc, FormatExamples.SEGMENT_LENGTH + 1));
    }

    @Test
    void segmentWithAnUnknownVersionIsRejected() {
      CorruptionException e = assertThrows(CorruptionException.class, () -> open(withVersion(doc, 3), -1));
      assertEquals(8, e.fileOffset());
    }
  }

  @Nested
  class CheckpointFile {
    private final byte[] doc = FormatDoc.exampleBytes("checkpoint");

    /** One checkpoint entry as the reader hands it over. */
    private record Entry(String key, long sequence, int segmentIndex, long blockOffset, int recordOffset,
        int valueLength) {}

    private CheckpointMeta readMeta(byte[] bytes) throws IOException {
      Path path = write(FormatExamples.CHECKPOINT_NAME, bytes);
      try (VfsFile file = vfs.open(path)) {
        return CheckpointReader.readMeta(path, file);
      }
    }

    private List<Entry> readEntries(byte[] bytes) throws IOException {
      Path path = write(FormatExamples.CHECKPOINT_NAME, bytes);
      List<Entry> entries = new ArrayList<>();
      try (VfsFile file = vfs.open(path)) {
        int segmentCount = CheckpointReader.readMeta(path, file).segments().size();
        long count = CheckpointReader.readEntries(path, file, segmentCount,
            (key, sequence, segmentIndex, blockOffset, recordOffset, valueLength) -> entries.add(new Entry(
                new String(key, StandardCharsets.US_ASCII), sequence, segmentIndex,
                blockOffset, recordOffset, valueLength)));
        assertEquals(entries.size(), count);
      }
      return entries;
    }

    @Test
    void checkpointExampleInFormatDocDecodesToTheDocumentedMetaAndEntries() throws IOException {
      assertEquals(FormatExamples.CHECKPOINT_META, readMeta(doc));
      assertEquals(List.of(new Entry("k1", 1, 0, 16, 0, 2), new Entry("k2", 2, 0, 16, FormatExamples.SECOND_RECORD_OFFSET, 2)), readEntries(doc));
    }

    @Test
    void checkpointExampleEntriesLocateTheSegmentExampleRecords() throws IOException {
      assertEntriesLocateRecords(doc, FormatDoc.exampleBytes("segment"));
    }

    @Test
    void version1CheckpointExampleStillReads_absoluteLocationsIntoTheVersion1Segment() throws IOException {
      byte[] version1 = FormatDoc.exampleBytes("checkpoint-v1");
      assertEquals(new CheckpointMeta(2, 2, 5, List.of(new CheckpointMeta.SegmentRef(
          FormatExamples.SEGMENT_FILE_NUMBER, FormatExamples.SEGMENT_V1_LENGTH))), readMeta(version1));
      assertEquals(List.of(new Entry("k1", 1, 0, 16, 0, 2), new Entry("k2", 2, 0, 16, FormatExamples.SECOND_RECORD_OFFSET_V1, 2)),
          readEntries(version1));
      assertEntriesLocateRecords(version1, FormatDoc.exampleBytes("segment-v1"));
    }

    @Test
    void version1CheckpointDumpInFormatDocIsTheFieldTableLayout() {
      assertDumpIsLayout("checkpoint-v1", FormatExamples.checkpointLayout(CheckpointFormat.VERSION_1));
    }

    private void assertEntriesLocateRecords(byte[] checkpoint, byte[] segmentBytes) throws IOException {
      Path segmentPath = write(FormatExamples.SEGMENT_NAME, segmentBytes);
      CheckpointMeta meta = readMeta(checkpoint);
      CheckpointMeta.SegmentRef ref = meta.segments().get(0);
      Segment segment = Segment.open(vfs, segmentPath, ref.fileNumber(), ref.fileLength());
      try {
        for (Entry entry : readEntries(checkpoint)) {
          byte[] raw = segment.readBlock(entry.blockOffset());
          byte[] value = SegmentRecord.valueOf(segment, entry.blockOffset(), raw, entry.recordOffset(),
              entry.sequence(), ascii(entry.key()));
          assertEquals(entry.valueLength(), value.length);
          assertTrue(entry.sequence() <= meta.lastSequence());
        }
      } finally {
        segment.release();
      }
    }

    @Test
    void checkpointWriterProducesTheDocumentedBytes() throws IOException {
      assertArrayEquals(doc, FormatExamples.writtenCheckpoint(dir));
    }

    @Test
    void checkpointDumpInFormatDocIsTheFieldTableLayout() {
      assertDumpIsLayout("checkpoint", FormatExamples.checkpointLayout());
    }

    @Test
    void checkpointWithADamagedMetaIsCorruption() {
      CorruptionException e = assertThrows(CorruptionException.class, () -> readMeta(flipped(doc, 0x2f)));
      assertEquals(0x18, e.fileOffset());
    }

    @Test
    void checkpointWithADamagedEntryIsCorruption() {
      CorruptionException e = assertThrows(CorruptionException.class, () -> readEntries(flipped(doc, 0x5b)));
      assertEquals(0x44, e.fileOffset());
    }

    @Test
    void checkpointWithAnUnknownVersionIsRejected() {
      CorruptionException e = assertThrows(CorruptionException.class, () -> readMeta(withVersion(doc, 3)));
      assertEquals(8, e.fileOffset());
    }
  }
}
