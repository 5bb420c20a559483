package dev.cairn.store.internal.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.fuzz.ChecksumRepair;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.fuzz.MemoryVfs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz tests of the block framing ({@link BlockReader}) and the block codecs ({@link BlockCodec}):
 * a block area either yields a verified block that decodes to exactly {@code rawLength} bytes, or
 * fails with {@link CorruptionException} naming the file and the block's offset. Anything else
 * (an index, size or allocation error from a decompressor, a hang) is a finding.
 *
 * <p>The codec targets repair the block checksum after the fuzzer's mutation and force the codec
 * byte, so that mutated lengths and compressed bytes reach {@code Lz4Decompressor} and
 * {@code ZstdDecompressor} (including a frame's own content-size field). Regression inputs:
 * {@code src/test/resources/dev/cairn/store/internal/segment/BlockReaderFuzzTestInputs/<method>/}.
 */
class BlockReaderFuzzTest {
  private static final Path PATH = Path.of("/fuzz/00000000000000000003.seg");

  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void arbitraryBlockBytesDecodeOrFailAsCorruption(byte[] area) throws IOException {
    readEveryBlock(area);
  }

  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void rawBlockWithRepairedChecksumDecodesOrFailsAsCorruption(byte[] area) throws IOException {
    readEveryBlock(withCodec(area, SegmentFormat.CODEC_NONE));
  }

  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void lz4BlockWithRepairedChecksumDecodesOrFailsAsCorruption(byte[] area) throws IOException {
    readEveryBlock(withCodec(area, SegmentFormat.CODEC_LZ4));
  }

  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void zstdBlockWithRepairedChecksumDecodesOrFailsAsCorruption(byte[] area) throws IOException {
    readEveryBlock(withCodec(area, SegmentFormat.CODEC_ZSTD));
  }

  /** Round trip: whatever {@link BlockWriter} packs, with any codec and target, reads back equal. */
  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void writtenBlocksReadBackEqual(FuzzedDataProvider data) throws IOException {
    int codec = data.consumeInt(SegmentFormat.CODEC_NONE, SegmentFormat.CODEC_ZSTD);
    int target = data.consumeInt(1, 512);
    MemoryVfs vfs = new MemoryVfs();
    VfsFile file = vfs.create(PATH);
    BlockWriter writer = new BlockWriter(file, 0, codec, target);
    List<byte[]> records = new ArrayList<>();
    List<Long> blockOffsets = new ArrayList<>();
    List<Integer> recordOffsets = new ArrayList<>();
    int count = data.consumeInt(1, 40);
    for (int i = 0; i < count; i++) {
      byte[] record = data.consumeBytes(data.consumeInt(1, 300));
      if (record.length == 0) {
        record = new byte[] {0}; // a block holds at least one byte per record
      }
      if (data.consumeBoolean()) {
        Arrays.fill(record, (byte) 'a'); // compressible
      }
      recordOffsets.add(writer.startRecord());
      blockOffsets.add(writer.blockOffset());
      writer.raw().put(record);
      records.add(record);
    }
    long end = writer.finish();
    assertEquals(end, file.size());
    for (int i = 0; i < count; i++) {
      byte[] raw = BlockReader.readRaw(PATH, file, blockOffsets.get(i), end);
      byte[] record = records.get(i);
      int at = recordOffsets.get(i);
      assertArrayEquals(record, Arrays.copyOfRange(raw, at, at + record.length));
    }
    long offset = 0;
    int blocks = 0;
    while (offset < end) {
      offset += BlockReader.readFramed(PATH, file, offset, end).length();
      blocks++;
    }
    assertEquals(end, offset);
    assertEquals(writer.blockCount(), blocks);
  }

  private static byte[] withCodec(byte[] area, int codec) {
    if (area.length > 0) {
      area[0] = (byte) codec;
    }
    ChecksumRepair.block(area, 0, area.length);
    return area;
  }

  /** Reads blocks back to back from offset 0 as a segment reader would, decoding each. */
  private static void readEveryBlock(byte[] area) throws IOException {
    VfsFile file = MemoryVfs.of(PATH, area).open(PATH);
    long offset = 0;
    try {
      while (offset < area.length) {
        BlockReader.Framed framed = BlockReader.readFramed(PATH, file, offset, area.length);
        assertTrue(framed.length() >= SegmentFormat.BLOCK_HEADER_BYTES && offset + framed.length() <= area.length);
        assertTrue(framed.recordCount() >= 1 && framed.recordCount() <= framed.rawLength());
        byte[] raw = framed.decompress(PATH, offset);
        assertEquals(framed.rawLength(), raw.length, "decoded length");
        offset += framed.length();
      }
    } catch (CorruptionException e) {
      assertEquals(PATH, e.file());
      assertEquals(offset, e.fileOffset(), "a block error names the block's offset");
    }
  }
}
