package dev.cairn.store.internal.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.fuzz.MemoryVfs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link BlockWriter}: which codec each block gets, and that every block reads back as written. */
class BlockWriterTest {
  private static final Path PATH = Path.of("/blocks/00000000000000000001.seg");
  private static final int BLOCK_BYTES = 4096;

  private final MemoryVfs vfs = new MemoryVfs();
  private final Random random = new Random(5);
  private final List<byte[]> written = new ArrayList<>();

  @Test
  void stopsTryingAfterIncompressibleBlocksAndProbesUntilDataCompressesAgain() throws IOException {
    int randomBlocks = BlockWriter.INCOMPRESSIBLE_RUN + 3 * BlockWriter.PROBE_INTERVAL;
    int textBlocks = BlockWriter.PROBE_INTERVAL + 2;
    long end = write(SegmentFormat.CODEC_LZ4, randomBlocks, textBlocks);

    List<Integer> codecs = readBack(end);
    assertEquals(randomBlocks + textBlocks, codecs.size(), "blocks");
    for (int b = 0; b < randomBlocks; b++) {
      assertEquals(SegmentFormat.CODEC_NONE, codecs.get(b), "random block " + b + " is stored raw");
    }
    // The random blocks after the first INCOMPRESSIBLE_RUN are a whole number of probe intervals,
    // each ending in a probe; so the text goes raw, untried, until the next probe, the
    // PROBE_INTERVAL-th text block. A writer that always tried would compress the first one.
    int firstCompressed = codecs.subList(randomBlocks, codecs.size()).indexOf(SegmentFormat.CODEC_LZ4);
    assertEquals(BlockWriter.PROBE_INTERVAL - 1, firstCompressed,
        "first compressed text block in " + codecs.subList(randomBlocks, codecs.size()));
    for (int b = randomBlocks + firstCompressed; b < codecs.size(); b++) {
      assertEquals(SegmentFormat.CODEC_LZ4, codecs.get(b), "text block " + b + " after the probe");
    }
  }

  @Test
  void compressesEveryCompressibleBlockAndStoresRawWithoutACodec() throws IOException {
    long end = write(SegmentFormat.CODEC_ZSTD, 0, 5);
    assertEquals(List.of(2, 2, 2, 2, 2), readBack(end));
    written.clear();
    vfs.delete(PATH);
    end = write(SegmentFormat.CODEC_NONE, 2, 2);
    assertEquals(List.of(0, 0, 0, 0), readBack(end));
  }

  /** Writes one record of a block's size per block: first random bytes, then text. */
  private long write(int codecId, int randomBlocks, int textBlocks) throws IOException {
    VfsFile file = vfs.create(PATH);
    BlockWriter writer = new BlockWriter(file, 0, codecId, BLOCK_BYTES);
    for (int b = 0; b < randomBlocks + textBlocks; b++) {
      byte[] record = new byte[BLOCK_BYTES];
      if (b < randomBlocks) {
        random.nextBytes(record);
      } else {
        Arrays.fill(record, (byte) ('a' + b % 26));
      }
      writer.startRecord();
      writer.raw().put(record);
      written.add(record);
    }
    long end = writer.finish();
    file.close();
    return end;
  }

  /** Reads every block, checks its content, and returns the codec of each. */
  private List<Integer> readBack(long end) throws IOException {
    List<Integer> codecs = new ArrayList<>();
    try (VfsFile file = vfs.open(PATH)) {
      long offset = 0;
      for (byte[] expected : written) {
        BlockReader.Framed block = BlockReader.readFramed(PATH, file, offset, end);
        assertArrayEquals(expected, block.decompress(PATH, offset), "block at " + offset);
        codecs.add(block.codec());
        offset += block.length();
      }
      assertEquals(end, offset, "blocks end where the writer said");
    }
    return codecs;
  }
}
