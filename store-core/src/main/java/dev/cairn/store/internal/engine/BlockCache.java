package dev.cairn.store.internal.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decompressed segment blocks, least recently used evicted first, bounded by their total bytes.
 * Thread-safe. Keys are (segment file number, block offset); the cache is split into shards by
 * key, each an LRU list under its own monitor with an equal share of the capacity, so that
 * concurrent readers of different blocks rarely wait for each other. A shard gets at least 1 MiB,
 * so a small cache is one LRU list, as exact as before the split.
 */
final class BlockCache {
  private static final int MAX_SHARDS = 16;
  private static final long MIN_SHARD_BYTES = 1 << 20;

  private final Shard[] shards;

  BlockCache(long capacityBytes) {
    int count = (int) Math.max(1, Math.min(MAX_SHARDS, capacityBytes / MIN_SHARD_BYTES));
    shards = new Shard[count];
    for (int i = 0; i < count; i++) {
      shards[i] = new Shard(capacityBytes / count);
    }
  }

  private static long key(long fileNumber, int blockOffset) {
    return (fileNumber << 32) | (blockOffset & 0xFFFFFFFFL);
  }

  private Shard shard(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return shards[(int) ((h >>> 33) % shards.length)];
  }

  byte[] get(long fileNumber, int blockOffset) {
    long key = key(fileNumber, blockOffset);
    return shard(key).get(key);
  }

  void put(long fileNumber, int blockOffset, byte[] block) {
    long key = key(fileNumber, blockOffset);
    shard(key).put(key, block);
  }

  /** Drops every block of a segment that is gone. */
  void evictSegment(long fileNumber) {
    for (Shard s : shards) {
      s.evictSegment(fileNumber);
    }
  }

  /** One LRU list of blocks and its byte budget. */
  private static final class Shard {
    private final long capacityBytes;
    private final LinkedHashMap<Long, byte[]> blocks = new LinkedHashMap<>(64, 0.75f, true);
    private long sizeBytes; // guarded by this

    Shard(long capacityBytes) {
      this.capacityBytes = capacityBytes;
    }

    synchronized byte[] get(long key) {
      return blocks.get(key);
    }

    synchronized void put(long key, byte[] block) {
      if (block.length > capacityBytes / 4) {
        return;
      }
      byte[] old = blocks.put(key, block);
      sizeBytes += block.length - (old == null ? 0 : old.length);
      for (Iterator<byte[]> it = blocks.values().iterator(); sizeBytes > capacityBytes && it.hasNext(); ) {
        sizeBytes -= it.next().length;
        it.remove();
      }
    }

    synchronized void evictSegment(long fileNumber) {
      for (Iterator<Map.Entry<Long, byte[]>> it = blocks.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Long, byte[]> e = it.next();
        if ((e.getKey() >>> 32) == fileNumber) {
          sizeBytes -= e.getValue().length;
          it.remove();
        }
      }
    }
  }
}
