package dev.cairn.store.internal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.fuzz.MemoryVfs;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.util.Bytes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Version 2 checkpoint entries code locations as deltas; these tests prove they decode to what was written. */
class CheckpointLocationsTest {
  private static final Path PATH = Path.of("/test/00000000000000000004.ckpt");

  private record Entry(String key, long sequence, int segmentIndex, long blockOffset, int recordOffset,
      int valueLength) {}

  @Test
  void interleavedSegmentsAcrossManyBlocksReadBackExactly() throws IOException {
    Random random = new Random(11);
    int segments = 3;
    long[] blockOffset = {16, 16, 16};
    int[] recordEnd = new int[segments];
    List<Entry> written = new ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      int s = random.nextInt(segments);
      long sequence = 1 + random.nextInt(1 << 20);
      int valueLength = random.nextInt(300);
      int recordOffset;
      int shape = random.nextInt(20);
      if (shape == 0) {
        blockOffset[s] += 17 + random.nextInt(8000);
        recordOffset = 0;
      } else if (shape == 1) {
        recordOffset = recordEnd[s] + 1 + random.nextInt(500);
      } else if (shape == 2) {
        blockOffset[s] = 16 + random.nextInt(1 << 20);
        recordOffset = random.nextInt(16 * 1024);
      } else {
        recordOffset = recordEnd[s];
      }
      written.add(new Entry(String.format("key-%08d", i), sequence, s, blockOffset[s], recordOffset, valueLength));
      recordEnd[s] = recordOffset + Bytes.varintSize(sequence) + Bytes.varintSize(valueLength) + valueLength;
    }
    byte[] file = write(segments, written);
    assertEquals(written, read(file));
  }

  @Test
  void recordsThatFollowEachOtherCostTwoBytesOfLocation() throws IOException {
    List<Entry> sequential = new ArrayList<>();
    List<Entry> scattered = new ArrayList<>();
    int recordOffset = 0;
    for (int i = 0; i < 1000; i++) {
      sequential.add(new Entry(String.format("key-%08d", i), 7, 0, 40_000, recordOffset, 100));
      scattered.add(new Entry(String.format("key-%08d", i), 7, 0, 40_000 + 3_400 * i, 5_000, 100));
      recordOffset += 1 + 1 + 100;
    }
    byte[] a = write(1, sequential);
    byte[] b = write(1, scattered);
    assertEquals(sequential, read(a));
    assertEquals(scattered, read(b));
    // Scattered: a 2-byte block delta and a 2-byte record delta; sequential: one zero byte each.
    assertTrue(b.length - a.length >= 2 * 999, a.length + " vs " + b.length);
  }

  @Test
  void entriesAlternatingBetweenTwoRunsOfOneSegmentCostAsLittleAsOneRun() throws IOException {
    // A compaction's output: run A at the start of the file, run B after it; keys interleave.
    List<Entry> oneRun = new ArrayList<>();
    List<Entry> twoRuns = new ArrayList<>();
    int[] end = {0, 0};
    for (int i = 0; i < 2000; i++) {
      int run = i % 2;
      oneRun.add(new Entry(String.format("key-%08d", i), 7, 0, 16, 102 * i, 100));
      twoRuns.add(new Entry(String.format("key-%08d", i), 7, 0, run == 0 ? 16 : 900_000, end[run], 100));
      end[run] += 102;
    }
    byte[] a = write(1, oneRun);
    byte[] b = write(1, twoRuns);
    assertEquals(oneRun, read(a));
    assertEquals(twoRuns, read(b));
    // Each block's first entry of run B pays for the jump to 900,000 once; the rest cost as in one run.
    assertTrue(b.length - a.length < 64, a.length + " vs " + b.length);
  }

  private static byte[] write(int segmentCount, List<Entry> entries) throws IOException {
    List<CheckpointMeta.SegmentRef> refs = new ArrayList<>();
    for (int i = 0; i < segmentCount; i++) {
      refs.add(new CheckpointMeta.SegmentRef(10 + i, 1L << 30));
    }
    MemoryVfs vfs = new MemoryVfs();
    try (CheckpointWriter writer = new CheckpointWriter(vfs, PATH, new CheckpointMeta(1 << 20, 2, 20, refs),
        SegmentFormat.CODEC_NONE)) {
      for (Entry e : entries) {
        writer.add(e.key().getBytes(), e.sequence(), e.segmentIndex(), e.blockOffset(), e.recordOffset(),
            e.valueLength());
      }
      writer.finish();
    }
    return vfs.contents(PATH);
  }

  private static List<Entry> read(byte[] bytes) throws IOException {
    MemoryVfs vfs = MemoryVfs.of(PATH, bytes);
    List<Entry> read = new ArrayList<>();
    try (VfsFile file = vfs.open(PATH)) {
      int segmentCount = CheckpointReader.readMeta(PATH, file).segments().size();
      CheckpointReader.readEntries(PATH, file, segmentCount, (key, sequence, segmentIndex, blockOffset, recordOffset,
          valueLength) -> read.add(new Entry(new String(key), sequence, segmentIndex, blockOffset, recordOffset,
          valueLength)));
    }
    return read;
  }
}
