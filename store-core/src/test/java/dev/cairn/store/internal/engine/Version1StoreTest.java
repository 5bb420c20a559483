package dev.cairn.store.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.checkpoint.CheckpointFormat;
import dev.cairn.store.internal.fs.NioVfs;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.segment.BlockWriter;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.util.ByteSink;
import dev.cairn.store.internal.util.Bytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written in the version 1 formats (segment records that hold their keys, checkpoint
 * entries with absolute locations) opens, reads, takes writes, and compacts into version 2
 * segments without losing or altering a value.
 */
class Version1StoreTest {
  private static final int KEYS = 400;

  @TempDir Path dir;

  @Test
  void version1StoreReadsEveryValue_andCompactsIntoVersion2Segments() throws IOException {
    TreeMap<String, String> expected = writeVersion1Store();
    StoreOptions options = StoreOptions.builder().blockBytes(1024).build();
    try (Store store = Store.open(dir, options)) {
      assertStoreHolds(store, expected);
      // Every record of the version 1 segment is live: its bytes are counted in its own layout.
      assertEquals(0.0, store.stats().garbageRatio(), 1e-9);
      for (int i = 0; i < KEYS; i += 7) {
        store.put(key(i), "overwritten " + i);
        expected.put(key(i), "overwritten " + i);
      }
      for (int i = 3; i < KEYS; i += 11) {
        store.delete(key(i));
        expected.remove(key(i));
      }
      store.compact();
      assertStoreHolds(store, expected);
    }
    assertEquals(List.of(SegmentFormat.VERSION), segmentVersions(), "compaction left no version 1 segment");
    try (Store store = Store.open(dir, options)) {
      assertStoreHolds(store, expected);
    }
  }

  @Test
  void compactionRewritesAVersion1BlockWhoseRecordsAreAllLive() throws IOException {
    TreeMap<String, String> expected = writeVersion1Store();
    try (Store store = Store.open(dir, StoreOptions.builder().build())) {
      store.put(key(0), "overwritten");
      expected.put(key(0), "overwritten");
      store.compact();
      assertStoreHolds(store, expected);
    }
    assertEquals(List.of(SegmentFormat.VERSION), segmentVersions());
  }

  private static void assertStoreHolds(Store store, TreeMap<String, String> expected) {
    for (int i = 0; i < KEYS; i++) {
      assertEquals(expected.get(key(i)), store.get(key(i)), key(i));
    }
    List<String> scanned = new ArrayList<>();
    try (Cursor cursor = store.scan(KeyRange.all())) {
      while (cursor.hasNext()) {
        Entry e = cursor.next();
        scanned.add(e.keyString());
        assertEquals(expected.get(e.keyString()), e.valueString(), e.keyString());
      }
    }
    assertEquals(new ArrayList<>(expected.keySet()), scanned);
  }

  /** The version of every segment file in the store's directory, without repeats, ascending. */
  private List<Integer> segmentVersions() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(SegmentFormat.SUFFIX))
          .map(p -> {
            try {
              return Bytes.getInt(Files.readAllBytes(p), 8);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          })
          .distinct().sorted().toList();
    }
  }

  /**
   * Writes what a store of the version 1 formats left after a clean close: segment 3 with one
   * record per key (version 1 layout, LZ4, 512-byte blocks) and checkpoint 4 (version 1) listing it.
   */
  private TreeMap<String, String> writeVersion1Store() throws IOException {
    TreeMap<String, String> values = new TreeMap<>();
    for (int i = 0; i < KEYS; i++) {
      values.put(key(i), "value of " + key(i) + " " + "x".repeat(i % 50));
    }
    Vfs vfs = new NioVfs();
    Path segmentPath = FileNames.path(dir, FileNames.Kind.SEGMENT, 3);
    List<long[]> locations = new ArrayList<>();
    long length;
    try (VfsFile file = vfs.create(segmentPath)) {
      byte[] header = new byte[SegmentFormat.HEADER_BYTES];
      System.arraycopy(SegmentFormat.MAGIC, 0, header, 0, 8);
      Bytes.putInt(header, 8, SegmentFormat.VERSION_1);
      Bytes.putInt(header, 12, Bytes.crc32c(header, 0, 12));
      file.append(header, 0, header.length);
      BlockWriter blocks = new BlockWriter(file, header.length, SegmentFormat.CODEC_LZ4, 512);
      long sequence = 1;
      for (Map.Entry<String, String> e : values.entrySet()) {
        int recordOffset = blocks.startRecord();
        locations.add(new long[] {sequence, blocks.blockOffset(), recordOffset});
        byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
        byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
        blocks.raw().putLong(sequence++).putVarint(k.length).put(k).putVarint(v.length).put(v);
      }
      long dataEnd = blocks.finish();
      ByteSink footer = new ByteSink(SegmentFormat.FOOTER_BYTES);
      footer.putLong(dataEnd).putInt(blocks.blockCount()).putInt(values.size()).putLong(blocks.rawBytes());
      footer.put(SegmentFormat.END_MAGIC);
      footer.putInt(Bytes.crc32c(footer.array(), 0, footer.size()));
      file.append(footer.array(), 0, footer.size());
      file.sync();
      length = dataEnd + SegmentFormat.FOOTER_BYTES;
    }
    writeVersion1Checkpoint(vfs, values, locations, length);
    assertTrue(locations.get(KEYS - 1)[1] > SegmentFormat.HEADER_BYTES, "the segment has several blocks");
    return values;
  }

  /**
   * Checkpoint 4 in the version 1 layout: the meta listing segment 3, and one entry per key with
   * its location as it is (no deltas), in 4 KiB blocks.
   */
  private void writeVersion1Checkpoint(Vfs vfs, TreeMap<String, String> values, List<long[]> locations,
      long segmentLength) throws IOException {
    try (VfsFile file = vfs.create(FileNames.path(dir, FileNames.Kind.CHECKPOINT, 4))) {
      ByteSink head = new ByteSink(128);
      head.put(CheckpointFormat.MAGIC).putInt(CheckpointFormat.VERSION_1);
      head.putInt(Bytes.crc32c(head.array(), 0, 12));
      ByteSink body = new ByteSink(64);
      body.putLong(KEYS).putLong(5).putLong(5).putInt(1).putLong(3).putLong(segmentLength);
      head.putInt(body.size()).putInt(Bytes.crc32c(body.array(), 0, body.size())).put(body.array(), 0, body.size());
      file.append(head.array(), 0, head.size());
      BlockWriter blocks = new BlockWriter(file, head.size(), SegmentFormat.CODEC_LZ4, 4096);
      int i = 0;
      long block = -1;
      byte[] previous = null;
      for (Map.Entry<String, String> e : values.entrySet()) {
        long[] at = locations.get(i++);
        blocks.startRecord();
        byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
        int shared = previous != null && blocks.blockOffset() == block ? Bytes.sharedPrefix(previous, k) : 0;
        blocks.raw().putVarint(shared).putVarint(k.length - shared).put(k, shared, k.length - shared)
            .putVarint(at[0]).putVarint(0).putVarint(at[1]).putVarint(at[2])
            .putVarint(e.getValue().getBytes(StandardCharsets.UTF_8).length);
        previous = k;
        block = blocks.blockOffset();
      }
      long dataEnd = blocks.finish();
      ByteSink footer = new ByteSink(CheckpointFormat.FOOTER_BYTES);
      footer.putLong(dataEnd).putInt(blocks.blockCount()).putLong(KEYS).put(CheckpointFormat.END_MAGIC);
      footer.putInt(Bytes.crc32c(footer.array(), 0, footer.size()));
      file.append(footer.array(), 0, footer.size());
      file.sync();
    }
  }

  private static String key(int i) {
    return String.format("key-%04d", i);
  }
}
