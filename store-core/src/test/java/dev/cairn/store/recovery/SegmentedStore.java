package dev.cairn.store.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A small store with every kind of file: about 200 KiB of values flushed into several segments
 * that one checkpoint lists, WAL files kept as change history, and a newest WAL whose last records
 * are a few small commits.
 */
final class SegmentedStore {
  /** Rotates the WAL every 64 KiB; no background compaction, so each flush leaves its own segment. */
  static final StoreOptions OPTIONS =
      StoreOptions.builder().walRotateBytes(64 * 1024).backgroundCompaction(false).build();

  static final int BULK_KEYS = 900;
  static final int TAIL_COMMITS = 3;

  private SegmentedStore() {}

  /** Writes the store into {@code dir} and closes it; returns the commits. */
  static CommitModel write(Path dir) {
    return write(dir, OPTIONS);
  }

  /** Writes the store into {@code dir} with {@code options} (a variant of {@link #OPTIONS}) and closes it. */
  static CommitModel write(Path dir, StoreOptions options) {
    CommitModel model = new CommitModel();
    try (Store store = Store.open(dir, options)) {
      for (int i = 0; i < BULK_KEYS; i++) {
        model.put(store, String.format("bulk-%04d", i), value(i));
        if (i == BULK_KEYS / 2) {
          awaitFirstSegment(store);
        }
      }
      for (int i = 0; i < TAIL_COMMITS; i++) {
        model.put(store, "tail-" + i, ("tail value " + i).getBytes(StandardCharsets.UTF_8));
      }
    }
    assertTrue(StoreDirs.files(dir, StoreDirs.SEGMENT).size() >= 2, "the values fill several segments");
    assertEquals(1, StoreDirs.files(dir, StoreDirs.CHECKPOINT).size(), "one checkpoint");
    assertTrue(FileLayout.walRecords(StoreDirs.read(StoreDirs.newest(dir, StoreDirs.WAL))).size() > TAIL_COMMITS,
        "the newest WAL ends with the tail commits");
    return model;
  }

  /**
   * Waits until the first WAL rotation's flush has made a segment. Maintenance flushes every
   * generation handed over so far as one, so on a loaded machine the bulk's two or three rotations
   * could otherwise all end up in a single segment.
   */
  private static void awaitFirstSegment(Store store) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (store.stats().segments() == 0) {
      assertTrue(System.nanoTime() < deadline, "no segment 30 s after the first WAL rotation: " + store.stats());
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for a flush", e);
      }
    }
  }

  private static byte[] value(int i) {
    byte[] v = new byte[200 + i % 13];
    Arrays.fill(v, (byte) ('A' + i % 26));
    return v;
  }
}
