package dev.cairn.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How a store is opened. Immutable and thread-safe; build one with {@link #builder()}. Every
 * option has a default that suits an application store of up to a few million keys.
 */
public final class StoreOptions {
  /** Keys are at most this many bytes. */
  public static final int MAX_KEY_BYTES = 16 * 1024;
  /** Values are at most this many bytes. */
  public static final int MAX_VALUE_BYTES = 16 * 1024 * 1024;

  private final Compression compression;
  private final Durability durability;
  private final int blockBytes;
  private final long walRotateBytes;
  private final long segmentBytes;
  private final long blockCacheBytes;
  private final double compactionGarbageRatio;
  private final boolean backgroundCompaction;
  private final long changeRetentionBytes;
  private final Duration changeRetentionAge;

  private StoreOptions(Builder b) {
    this.compression = b.compression;
    this.durability = b.durability;
    this.blockBytes = b.blockBytes;
    this.walRotateBytes = b.walRotateBytes;
    this.segmentBytes = b.segmentBytes;
    this.blockCacheBytes = b.blockCacheBytes;
    this.compactionGarbageRatio = b.compactionGarbageRatio;
    this.backgroundCompaction = b.backgroundCompaction;
    this.changeRetentionBytes = b.changeRetentionBytes;
    this.changeRetentionAge = b.changeRetentionAge;
  }

  /** The defaults. */
  public static StoreOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Compression compression() {
    return compression;
  }

  public Durability durability() {
    return durability;
  }

  public int blockBytes() {
    return blockBytes;
  }

  public long walRotateBytes() {
    return walRotateBytes;
  }

  public long segmentBytes() {
    return segmentBytes;
  }

  public long blockCacheBytes() {
    return blockCacheBytes;
  }

  public double compactionGarbageRatio() {
    return compactionGarbageRatio;
  }

  public boolean backgroundCompaction() {
    return backgroundCompaction;
  }

  /** Most bytes of change history kept beyond what recovery needs. */
  public long changeRetentionBytes() {
    return changeRetentionBytes;
  }

  /** Longest time change history is kept, or null for no age limit. */
  public Duration changeRetentionAge() {
    return changeRetentionAge;
  }

  @Override
  public String toString() {
    return "StoreOptions{compression=" + compression + ", durability=" + durability
        + ", blockBytes=" + blockBytes + ", walRotateBytes=" + walRotateBytes
        + ", segmentBytes=" + segmentBytes + ", blockCacheBytes=" + blockCacheBytes
        + ", compactionGarbageRatio=" + compactionGarbageRatio
        + ", backgroundCompaction=" + backgroundCompaction + ", changeRetentionBytes=" + changeRetentionBytes
        + ", changeRetentionAge=" + changeRetentionAge + "}";
  }

  /** Builder of {@link StoreOptions}; not thread-safe. */
  public static final class Builder {
    private Compression compression = Compression.LZ4;
    private Durability durability = Durability.periodic(Duration.ofMillis(100));
    private int blockBytes = 16 * 1024;
    private long walRotateBytes = 32L * 1024 * 1024;
    private long segmentBytes = 128L * 1024 * 1024;
    private long blockCacheBytes = 32L * 1024 * 1024;
    private double compactionGarbageRatio = 0.5;
    private boolean backgroundCompaction = true;
    private long changeRetentionBytes = 64L * 1024 * 1024;
    private Duration changeRetentionAge = Duration.ofDays(7);

    private Builder() {}

    /** Codec of new segment blocks. Default {@link Compression#LZ4}; {@link Compression#ZSTD} for the smallest files. */
    public Builder compression(Compression compression) {
      this.compression = Objects.requireNonNull(compression, "compression");
      return this;
    }

    /** When writes reach stable storage. Default {@code periodic(100 ms)}; see {@link Durability}. */
    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    /**
     * Target raw size of a segment block, 1 KiB to 1 MiB; default 16 KiB. Bigger blocks compress
     * better but make every point read that misses the block cache decompress more.
     */
    public Builder blockBytes(int byteCount) {
      if (byteCount < 1024 || byteCount > 1024 * 1024) {
        throw new IllegalArgumentException("blockBytes must be in [1 KiB, 1 MiB]: " + byteCount);
      }
      this.blockBytes = byteCount;
      return this;
    }

    /**
     * WAL size at which its records are packed into a segment, at least 64 KiB; default 32 MiB.
     * Values written since the last packing are also held in memory, so this bounds that memory,
     * and the WAL replayed by an open after a crash.
     */
    public Builder walRotateBytes(long byteCount) {
      if (byteCount < 64 * 1024) {
        throw new IllegalArgumentException("walRotateBytes must be at least 64 KiB: " + byteCount);
      }
      this.walRotateBytes = byteCount;
      return this;
    }

    /** Size at which compaction starts a new segment file, 1 MiB to 1 GiB; default 128 MiB. */
    public Builder segmentBytes(long byteCount) {
      if (byteCount < 1024 * 1024 || byteCount > 1024L * 1024 * 1024) {
        throw new IllegalArgumentException("segmentBytes must be in [1 MiB, 1 GiB]: " + byteCount);
      }
      this.segmentBytes = byteCount;
      return this;
    }

    /** Bytes of decompressed blocks kept in memory for reads; 0 disables the cache. Default 32 MiB. */
    public Builder blockCacheBytes(long byteCount) {
      if (byteCount < 0) {
        throw new IllegalArgumentException("blockCacheBytes must not be negative: " + byteCount);
      }
      this.blockCacheBytes = byteCount;
      return this;
    }

    /**
     * Fraction of a segment's bytes that are overwritten or deleted before background compaction
     * rewrites it, in (0, 1]; default 0.5. Lower values use less disk and more write bandwidth.
     */
    public Builder compactionGarbageRatio(double ratio) {
      if (!(ratio > 0 && ratio <= 1)) {
        throw new IllegalArgumentException("compactionGarbageRatio must be in (0, 1]: " + ratio);
      }
      this.compactionGarbageRatio = ratio;
      return this;
    }

    /** Whether compaction runs by itself when garbage passes the ratio. Default true; {@link Store#compact()} always works. */
    public Builder backgroundCompaction(boolean enabled) {
      this.backgroundCompaction = enabled;
      return this;
    }

    /**
     * How much change history ({@link Store#changes}) to keep: WAL files already packed into
     * segments are deleted, oldest first, once they exceed {@code maxBytes} in total or are older
     * than {@code maxAge} (null: no age limit). Default 64 MiB and 7 days. A cursor that needs
     * deleted history fails with {@link ChangeHistoryLostException}. {@code 0} bytes keeps only what
     * recovery needs: the smallest footprint, for stores whose feed is not used. Checked after each
     * WAL flush and at open; the age of history found at open counts from the open.
     */
    public Builder changeRetention(long maxBytes, Duration maxAge) {
      if (maxBytes < 0) {
        throw new IllegalArgumentException("change retention bytes must not be negative: " + maxBytes);
      }
      if (maxAge != null && maxAge.isNegative()) {
        throw new IllegalArgumentException("change retention age must not be negative: " + maxAge);
      }
      this.changeRetentionBytes = maxBytes;
      this.changeRetentionAge = maxAge;
      return this;
    }

    public StoreOptions build() {
      return new StoreOptions(this);
    }
  }
}
