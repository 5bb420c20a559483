package dev.cairn.store.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import dev.cairn.store.Compression;
import dev.cairn.store.Durability;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Engine bug found by {@link ModelTest}: {@code Store.stats()} lists the store directory and then
 * asks the size of each file it listed, while the maintenance thread deletes WAL files, old
 * checkpoints and compacted segments. A file deleted in between makes {@code stats()} throw {@code
 * StoreIOException("cannot list <dir>")} caused by {@code NoSuchFileException} (StoreEngine.stats,
 * the {@code vfs.list} / {@code vfs.size} loop). A statistics call must not fail because the store
 * is doing its normal background work.
 *
 * <p>Reproduction: every put of a value larger than {@code walRotateBytes} rotates the WAL, and
 * the flush that follows deletes the old WAL and the previous checkpoint; {@code stats()} called
 * in a loop meanwhile soon lands in the window.
 */
class StatsRaceTest {
  @TempDir Path dir;

  @Test
  void stats_whileMaintenanceDeletesFiles_doesNotThrow() {
    StoreOptions options = StoreOptions.builder()
        .compression(Compression.NONE)
        .durability(Durability.periodic(java.time.Duration.ofMillis(100)))
        .walRotateBytes(64 * 1024)
        .build();
    byte[] value = new byte[70 * 1024];
    try (Store store = Store.open(dir, options)) {
      for (int round = 0; round < 300; round++) {
        store.put(new byte[] {(byte) (round % 4)}, value);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
          int at = round;
          assertDoesNotThrow(store::stats, () -> "stats() during maintenance, round " + at);
        }
      }
    }
  }
}
