package dev.cairn.store.internal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.fuzz.ChecksumRepair;
import dev.cairn.store.internal.fuzz.MemoryVfs;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.util.Bytes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz tests of {@link CheckpointReader}: the meta, then every entry, as recovery reads them. The
 * property: the checkpoint reads, and its entries come in strictly ascending key order with a
 * segment index below the segment count and offsets within the documented bounds; or it fails
 * with {@link CorruptionException} naming the file and an offset inside it. Anything else is a
 * finding.
 *
 * <p>Regression inputs: {@code
 * src/test/resources/dev/cairn/store/internal/checkpoint/CheckpointReaderFuzzTestInputs/<method>/}.
 */
class CheckpointReaderFuzzTest {
  private static final Path PATH = Path.of("/fuzz/00000000000000000004.ckpt");

  /** One entry as the visitor received it. */
  private record Entry(byte[] key, long sequence, int segmentIndex, long blockOffset, int recordOffset, int valueLength) {}

  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void arbitraryBytesReadAsCheckpointOrFailAsCorruption(byte[] file) throws IOException {
    readAll(file);
  }

  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void checkpointWithRepairedChecksumsReadsOrFailsAsCorruption(byte[] file) throws IOException {
    readAll(ChecksumRepair.checkpoint(file));
  }

  /** Round trip: the meta and entries {@link CheckpointWriter} writes read back equal. */
  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void writtenCheckpointReadsBackEqual(FuzzedDataProvider data) throws IOException {
    int codec = data.consumeInt(SegmentFormat.CODEC_NONE, SegmentFormat.CODEC_ZSTD);
    List<CheckpointMeta.SegmentRef> segments = new ArrayList<>();
    int segmentCount = data.consumeInt(0, 5);
    for (int i = 0; i < segmentCount; i++) {
      segments.add(new CheckpointMeta.SegmentRef(data.consumeLong(0, Long.MAX_VALUE), data.consumeLong(0, Long.MAX_VALUE)));
    }
    CheckpointMeta meta = new CheckpointMeta(data.consumeLong(0, Long.MAX_VALUE), data.consumeLong(0, Long.MAX_VALUE),
        data.consumeLong(0, Long.MAX_VALUE), List.copyOf(segments));
    TreeMap<byte[], Entry> entries = new TreeMap<>(Bytes.KEY_ORDER);
    int count = segmentCount == 0 ? 0 : data.consumeInt(0, 200);
    for (int i = 0; i < count; i++) {
      byte[] key = data.consumeBytes(data.consumeInt(0, 30));
      entries.put(key, new Entry(key, data.consumeLong(0, Long.MAX_VALUE), data.consumeInt(0, segmentCount - 1),
          data.consumeLong(0, Integer.MAX_VALUE), data.consumeInt(0, SegmentFormat.MAX_RAW_BLOCK_BYTES),
          data.consumeInt(0, SegmentFormat.MAX_RAW_BLOCK_BYTES)));
    }
    MemoryVfs vfs = new MemoryVfs();
    try (CheckpointWriter writer = new CheckpointWriter(vfs, PATH, meta, codec)) {
      for (Entry e : entries.values()) {
        writer.add(e.key(), e.sequence(), e.segmentIndex(), e.blockOffset(), e.recordOffset(), e.valueLength());
      }
      writer.finish();
    }
    VfsFile file = vfs.open(PATH);
    assertEquals(meta, CheckpointReader.readMeta(PATH, file));
    List<Entry> read = new ArrayList<>();
    long n = CheckpointReader.readEntries(PATH, file, segmentCount,
        (key, sequence, segmentIndex, blockOffset, recordOffset, valueLength) ->
            read.add(new Entry(key, sequence, segmentIndex, blockOffset, recordOffset, valueLength)));
    assertEquals(entries.size(), n);
    assertEquals(entries.size(), read.size());
    int i = 0;
    for (Entry e : entries.values()) {
      Entry r = read.get(i++);
      assertArrayEquals(e.key(), r.key());
      assertEquals(List.of(e.sequence(), e.segmentIndex(), e.blockOffset(), e.recordOffset(), e.valueLength()),
          List.of(r.sequence(), r.segmentIndex(), r.blockOffset(), r.recordOffset(), r.valueLength()));
    }
  }

  private static void readAll(byte[] bytes) throws IOException {
    VfsFile file = MemoryVfs.of(PATH, bytes).open(PATH);
    try {
      CheckpointMeta meta = CheckpointReader.readMeta(PATH, file);
      int segmentCount = meta.segments().size();
      List<byte[]> keys = new ArrayList<>();
      long n = CheckpointReader.readEntries(PATH, file, segmentCount,
          (key, sequence, segmentIndex, blockOffset, recordOffset, valueLength) -> {
            assertTrue(segmentIndex >= 0 && segmentIndex < segmentCount, "segment index " + segmentIndex);
            assertTrue(blockOffset >= 0 && blockOffset <= Integer.MAX_VALUE, "block offset " + blockOffset);
            assertTrue(recordOffset >= 0 && recordOffset <= SegmentFormat.MAX_RAW_BLOCK_BYTES, "record offset " + recordOffset);
            assertTrue(valueLength >= 0 && valueLength <= SegmentFormat.MAX_RAW_BLOCK_BYTES, "value length " + valueLength);
            if (!keys.isEmpty()) {
              assertTrue(Bytes.KEY_ORDER.compare(keys.get(keys.size() - 1), key) < 0, "keys out of order");
            }
            keys.add(key);
          });
      assertEquals(keys.size(), n);
    } catch (CorruptionException e) {
      assertEquals(PATH, e.file());
      assertTrue(e.fileOffset() >= 0 && e.fileOffset() <= bytes.length, "offset " + e.fileOffset());
    }
  }
}
