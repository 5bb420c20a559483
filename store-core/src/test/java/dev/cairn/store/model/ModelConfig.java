package dev.cairn.store.model;

import dev.cairn.store.Compression;
import dev.cairn.store.Durability;
import dev.cairn.store.StoreOptions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

/**
 * One configuration of the model-test matrix: each codec under each durability mode, mostly with
 * the smallest WAL (64 KiB) and small blocks, so that WAL rotations, flushes, checkpoints, merges
 * of small segments and block reads happen every few dozen steps. The cache, segment size and
 * background-compaction settings vary so that reads hit the block cache in some runs and the
 * segment files in others, and compaction both splits its output and runs on its own. One
 * configuration has a 2 MiB WAL instead, so that many values are read from memory and a close
 * finds over 1 MiB of WAL to flush. Half keep the default change history (flushed WAL files stay)
 * and half keep none (flushed WAL files are deleted at once).
 */
record ModelConfig(String name, Compression compression, Durability durability, long walRotateBytes,
    long blockCacheBytes, long segmentBytes, boolean backgroundCompaction, double compactionGarbageRatio,
    boolean keepChangeHistory) {

  static final int BLOCK_BYTES = 4096;
  private static final long KIB = 1024;
  private static final long MIB = 1024 * KIB;

  static List<ModelConfig> matrix() {
    Durability periodic5 = Durability.periodic(Duration.ofMillis(5));
    Durability periodic100 = Durability.periodic(Duration.ofMillis(100));
    return List.of(
        new ModelConfig("NONE/SYNC/no-cache/no-history", Compression.NONE, Durability.SYNC, 64 * KIB, 0, 128 * MIB,
            true, 0.3, false),
        new ModelConfig("NONE/periodic5ms/cache64k", Compression.NONE, periodic5, 64 * KIB, 64 * KIB, MIB,
            true, 0.5, true),
        new ModelConfig("LZ4/SYNC/segments1m/no-history", Compression.LZ4, Durability.SYNC, 64 * KIB, 64 * KIB, MIB,
            true, 0.2, false),
        new ModelConfig("LZ4/periodic100ms/wal2m/no-bg-compaction", Compression.LZ4, periodic100, 2 * MIB, 0, 128 * MIB,
            false, 0.5, true),
        new ModelConfig("ZSTD/SYNC/no-bg-compaction", Compression.ZSTD, Durability.SYNC, 64 * KIB, MIB, MIB,
            false, 0.5, true),
        new ModelConfig("ZSTD/periodic5ms/no-cache/no-history", Compression.ZSTD, periodic5, 64 * KIB, 0, MIB,
            true, 0.2, false));
  }

  StoreOptions options() {
    return StoreOptions.builder()
        .compression(compression)
        .durability(durability)
        .walRotateBytes(walRotateBytes)
        .blockBytes(BLOCK_BYTES)
        .blockCacheBytes(blockCacheBytes)
        .segmentBytes(segmentBytes)
        .backgroundCompaction(backgroundCompaction)
        .compactionGarbageRatio(compactionGarbageRatio)
        .changeRetention(keepChangeHistory ? 64 * MIB : 0, keepChangeHistory ? Duration.ofDays(7) : null)
        .build();
  }

  /**
   * The seed of a run: the {@code cairn.seed} system property when set (to replay a failure), else
   * a fresh random one.
   */
  static long seed() {
    String property = System.getProperty("cairn.seed");
    if (property != null && !property.isBlank()) {
      return Long.parseLong(property.trim());
    }
    return new SecureRandom().nextLong();
  }

  /** Number of steps per run: the {@code cairn.ops} system property, else {@code defaultCount}. */
  static int operationCount(int defaultCount) {
    return Integer.getInteger("cairn.ops", defaultCount);
  }

  @Override
  public String toString() {
    return name;
  }
}
