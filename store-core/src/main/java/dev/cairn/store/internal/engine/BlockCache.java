package dev.cairn.store.internal.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decompressed segment blocks, least recently used evicted first, bounded by their total bytes.
 * Thread-safe (one monitor; lookups are short). Keys are (segment file number, block offset).
 */
final class BlockCache {
  private final long capacityBytes;
  private final LinkedHashMap<Long, byte[]> blocks = new LinkedHashMap<>(256, 0.75f, true);
  private long sizeBytes; // guarded by this

  BlockCache(long capacityBytes) {
    this.capacityBytes = capacityBytes;
  }

  private static long key(long fileNumber, int blockOffset) {
    return (fileNumber << 32) | (blockOffset & 0xFFFFFFFFL);
  }

  synchronized byte[] get(long fileNumber, int blockOffset) {
    return blocks.get(key(fileNumber, blockOffset));
  }

  synchronized void put(long fileNumber, int blockOffset, byte[] block) {
    if (block.length > capacityBytes / 4) {
      return;
    }
    byte[] old = blocks.put(key(fileNumber, blockOffset), block);
    sizeBytes += block.length - (old == null ? 0 : old.length);
    for (Iterator<byte[]> it = blocks.values().iterator(); sizeBytes > capacityBytes && it.hasNext(); ) {
      sizeBytes -= it.next().length;
      it.remove();
    }
  }

  /** Drops every block of a segment that is gone. */
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
