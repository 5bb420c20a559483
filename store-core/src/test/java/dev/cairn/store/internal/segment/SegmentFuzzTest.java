package dev.cairn.store.internal.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.fuzz.ChecksumRepair;
import dev.cairn.store.internal.fuzz.MemoryVfs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz tests of segment files: {@link Segment#open} on arbitrary bytes, then every block read and
 * decoded and every record decoded, both walking the records in order and at every byte offset of
 * a block (as a damaged index entry could point anywhere). The property: data, or {@link
 * CorruptionException} naming the segment and an offset inside it; anything else is a finding.
 *
 * <p>Regression inputs: {@code
 * src/test/resources/dev/cairn/store/internal/segment/SegmentFuzzTestInputs/<method>/}.
 */
class SegmentFuzzTest {
  private static final Path PATH = Path.of("/fuzz/00000000000000000003.seg");

  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void arbitraryBytesOpenAsSegmentOrFailAsCorruption(byte[] file) throws IOException {
    readEveryRecord(file);
  }

  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void segmentWithRepairedChecksumsReadsOrFailsAsCorruption(byte[] file) throws IOException {
    readEveryRecord(ChecksumRepair.segment(file));
  }

  /** Round trip: every record {@link SegmentWriter} adds reads back equal at its location. */
  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void writtenSegmentReadsBackEqual(FuzzedDataProvider data) throws IOException {
    int codec = data.consumeInt(SegmentFormat.CODEC_NONE, SegmentFormat.CODEC_ZSTD);
    int target = data.consumeInt(1, 1024);
    MemoryVfs vfs = new MemoryVfs();
    SegmentWriter writer = new SegmentWriter(vfs, PATH, codec, target);
    List<SegmentRecord> records = new ArrayList<>();
    List<SegmentWriter.Location> locations = new ArrayList<>();
    int count = data.consumeInt(0, 40);
    for (int i = 0; i < count; i++) {
      long sequence = data.consumeLong(1, Long.MAX_VALUE);
      byte[] value = data.consumeBytes(data.consumeInt(0, 400));
      locations.add(writer.add(sequence, value));
      records.add(new SegmentRecord(sequence, null, value, 0));
    }
    writer.finish();
    long length = vfs.size(PATH);
    Segment segment = Segment.open(vfs, PATH, 3, length);
    try {
      assertEquals(count, segment.recordCount());
      for (int i = 0; i < count; i++) {
        SegmentWriter.Location at = locations.get(i);
        byte[] raw = segment.readBlock(at.blockOffset());
        SegmentRecord read = SegmentRecord.read(segment.version(), PATH, at.blockOffset(), raw, at.recordOffset());
        assertEquals(records.get(i).sequence(), read.sequence());
        assertNull(read.key());
        assertArrayEquals(records.get(i).value(), read.value());
      }
    } finally {
      segment.release();
    }
  }

  private static void readEveryRecord(byte[] file) throws IOException {
    MemoryVfs vfs = MemoryVfs.of(PATH, file);
    Segment segment;
    try {
      segment = Segment.open(vfs, PATH, 3, file.length);
    } catch (CorruptionException e) {
      assertCorruptionInside(e, file.length);
      return;
    }
    try {
      assertEquals(file.length - SegmentFormat.FOOTER_BYTES, segment.dataEnd());
      long blockOffset = SegmentFormat.HEADER_BYTES;
      while (blockOffset < segment.dataEnd()) {
        BlockReader.Framed framed = segment.readFramedBlock(blockOffset);
        byte[] raw = framed.decompress(PATH, blockOffset);
        int recordOffset = 0;
        while (recordOffset < raw.length) {
          SegmentRecord record = SegmentRecord.read(segment.version(), PATH, blockOffset, raw, recordOffset);
          assertTrue(record.nextOffset() > recordOffset && record.nextOffset() <= raw.length);
          recordOffset = record.nextOffset();
        }
        for (int at = 0; at < raw.length && at < 512; at++) {
          try {
            SegmentRecord.read(segment.version(), PATH, blockOffset, raw, at);
          } catch (CorruptionException e) {
            assertEquals(blockOffset, e.fileOffset());
          }
        }
        blockOffset += framed.length();
      }
    } catch (CorruptionException e) {
      assertCorruptionInside(e, file.length);
    } finally {
      segment.release();
    }
  }

  private static void assertCorruptionInside(CorruptionException e, long fileLength) {
    assertEquals(PATH, e.file());
    assertTrue(e.fileOffset() >= 0 && e.fileOffset() <= fileLength, "offset " + e.fileOffset() + " of " + fileLength);
  }
}
