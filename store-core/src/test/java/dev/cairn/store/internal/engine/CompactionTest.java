package dev.cairn.store.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Compression;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.WriteBatch;
import dev.cairn.store.internal.fs.NioVfs;
import dev.cairn.store.internal.segment.BlockReader;
import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.segment.SegmentFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction: what it copies verbatim, what it rewrites, and when it starts by itself. */
class CompactionTest {
  @TempDir
  Path dir;

  private static StoreOptions.Builder options() {
    return StoreOptions.builder().compression(Compression.LZ4).blockBytes(4096).walRotateBytes(256 * 1024)
        .changeRetention(0, null);
  }

  private static void fill(Store store, int from, int to, String suffix) {
    WriteBatch batch = WriteBatch.create();
    for (int i = from; i < to; i++) {
      batch.put(String.format("key%05d", i), "{\"id\":" + i + ",\"payload\":\"" + "x".repeat(80) + suffix + "\"}");
      if (batch.size() == 500) {
        store.write(batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      store.write(batch);
    }
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(SegmentFormat.SUFFIX)).sorted().toList();
    }
  }

  /** The framed blocks of a segment file, as stored. */
  private static List<byte[]> framedBlocks(Path file) throws IOException {
    Segment segment = Segment.open(new NioVfs(), file, 0, -1);
    try {
      List<byte[]> blocks = new ArrayList<>();
      for (long offset = SegmentFormat.HEADER_BYTES; offset < segment.dataEnd(); ) {
        BlockReader.Framed framed = segment.readFramedBlock(offset);
        blocks.add(framed.bytes());
        offset += framed.length();
      }
      return blocks;
    } finally {
      segment.release();
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Test
  void blocksWhoseRecordsAreAllLiveAreCopiedByteForByte_othersAreRewritten() throws IOException {
    try (Store store = Store.open(dir, options().backgroundCompaction(false).build())) {
      fill(store, 0, 2000, "");
      store.compact(); // packs everything into one segment
      List<Path> before = segments();
      assertEquals(1, before.size());
      List<byte[]> oldBlocks = framedBlocks(before.get(0));
      assertTrue(oldBlocks.size() > 10, "enough blocks: " + oldBlocks.size());

      WriteBatch deletes = WriteBatch.create();
      for (int i = 0; i < 100; i++) {
        deletes.delete(String.format("key%05d", i)); // only the first block or two lose records
      }
      store.write(deletes);
      store.compact();

      List<Path> after = segments();
      assertEquals(1, after.size());
      byte[] newFile = Files.readAllBytes(after.get(0));
      int verbatim = 0;
      for (byte[] block : oldBlocks) {
        if (contains(newFile, block)) {
          verbatim++;
        }
      }
      assertTrue(verbatim >= oldBlocks.size() - 3, verbatim + " of " + oldBlocks.size() + " blocks copied verbatim");
      assertTrue(verbatim < oldBlocks.size(), "the blocks that lost records were rewritten");
      assertNull(store.get("key00050"));
      assertEquals("{\"id\":1999,\"payload\":\"" + "x".repeat(80) + "\"}", store.get("key01999"));
      assertEquals(0.0, store.stats().garbageRatio(), 1e-9);
    }
  }

  @Test
  void compactCountsOverwritesTheIndexHasNotMergedYetAsGarbage() throws IOException {
    try (Store store = Store.open(dir, options().backgroundCompaction(false).build())) {
      fill(store, 0, 2000, "");
      store.compact();
    }
    // Reopened, the index holds every key in its base run and an empty active map. Fewer
    // overwrites than a merge needs (16,384; the suite sets 512) leave the old versions uncounted.
    try (Store store = Store.open(dir, options().backgroundCompaction(false).build())) {
      fill(store, 0, 300, "-new");
      store.compact();
      assertEquals(0.0, store.stats().garbageRatio(), 1e-9, "the overwritten records were compacted away");
      assertEquals(2000, store.stats().keys());
      assertEquals("{\"id\":7,\"payload\":\"" + "x".repeat(80) + "-new\"}", store.get("key00007"));
    }
  }

  @Test
  void backgroundCompactionStartsWhenGarbagePassesTheRatio() throws Exception {
    try (Store store = Store.open(dir, options().compactionGarbageRatio(0.5).build())) {
      fill(store, 0, 2000, "");
      store.flush();
      for (int round = 1; round <= 6; round++) {
        fill(store, 0, 2000, "-" + round); // overwrites make the older segments garbage
      }
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (store.stats().compactions() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(store.stats().compactions() > 0, "no background compaction ran: " + store.stats());
      assertEquals("{\"id\":7,\"payload\":\"" + "x".repeat(80) + "-6\"}", store.get("key00007"));
    }
  }
}
