package dev.cairn.store.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link BlockCache} on one thread: bounds, CLOCK eviction, segment eviction, and agreement with a map. */
class BlockCacheTest {
  private static final int BLOCK_BYTES = 1024;
  /** Below {@code 1 MiB}, so one shard: eviction order is exact. */
  private static final long SMALL_CAPACITY_BYTES = 64 * BLOCK_BYTES;

  @Test
  void aPutBlockIsReturnedUnderItsKeyOnly() {
    BlockCache cache = new BlockCache(SMALL_CAPACITY_BYTES);
    byte[] block = new byte[BLOCK_BYTES];
    cache.put(3, 4096, block);
    assertSame(block, cache.get(3, 4096));
    assertNull(cache.get(3, 0));
    assertNull(cache.get(4, 4096));
  }

  @Test
  void cachedBytesNeverExceedTheCapacity() {
    for (long capacity : new long[] {SMALL_CAPACITY_BYTES, 16L << 20}) {
      BlockCache cache = new BlockCache(capacity);
      Random random = new Random(1);
      for (int i = 0; i < 100_000; i++) {
        cache.put(random.nextInt(8), random.nextInt(1 << 20) * 16, new byte[1 + random.nextInt(8 * BLOCK_BYTES)]);
        assertTrue(cache.sizeBytes() <= capacity, "cached " + cache.sizeBytes() + " of " + capacity);
      }
      assertTrue(cache.sizeBytes() > capacity / 2, "cached only " + cache.sizeBytes() + " of " + capacity);
    }
  }

  @Test
  void aBlockOverAQuarterOfTheCapacityIsNotCached() {
    BlockCache cache = new BlockCache(SMALL_CAPACITY_BYTES);
    cache.put(1, 0, new byte[(int) (SMALL_CAPACITY_BYTES / 4) + 1]);
    assertNull(cache.get(1, 0));
    assertEquals(0, cache.sizeBytes());
  }

  @Test
  void aZeroCapacityCacheCachesNothing() {
    BlockCache cache = new BlockCache(0);
    cache.put(1, 0, new byte[1]);
    assertNull(cache.get(1, 0));
  }

  @Test
  void blocksReadSinceTheHandPassedOutliveBlocksNotReadAgain() {
    BlockCache cache = new BlockCache(SMALL_CAPACITY_BYTES);
    int fitting = (int) (SMALL_CAPACITY_BYTES / BLOCK_BYTES);
    for (int i = 0; i < fitting; i++) {
      cache.put(1, i, new byte[BLOCK_BYTES]);
    }
    cache.put(2, 0, new byte[BLOCK_BYTES]); // one pass of the hand: every bit cleared, one block evicted
    List<Integer> read = new ArrayList<>();
    for (int i = 0; i < fitting; i += 2) {
      if (cache.get(1, i) != null) {
        read.add(i);
      }
    }
    for (int i = 1; i < fitting / 2; i++) {
      cache.put(2, i, new byte[BLOCK_BYTES]);
    }
    for (int i : read) {
      assertNotNull(cache.get(1, i), "block " + i + ", read again, was evicted");
    }
    int unreadStillCached = 0;
    for (int i = 1; i < fitting; i += 2) {
      unreadStillCached += cache.get(1, i) == null ? 0 : 1;
    }
    assertTrue(unreadStillCached <= 1, unreadStillCached + " blocks not read again are still cached");
  }

  @Test
  void replacingABlockCountsOnlyTheNewOne() {
    BlockCache cache = new BlockCache(SMALL_CAPACITY_BYTES);
    cache.put(1, 0, new byte[BLOCK_BYTES]);
    byte[] replacement = new byte[2 * BLOCK_BYTES];
    cache.put(1, 0, replacement);
    assertSame(replacement, cache.get(1, 0));
    assertEquals(2 * BLOCK_BYTES, cache.sizeBytes());
  }

  @Test
  void evictSegmentDropsThatSegmentsBlocksAndKeepsTheOthers() {
    BlockCache cache = new BlockCache(64L << 20);
    for (int i = 0; i < 1000; i++) {
      cache.put(i % 4, i * BLOCK_BYTES, new byte[BLOCK_BYTES]);
    }
    cache.evictSegment(2);
    for (int i = 0; i < 1000; i++) {
      if (i % 4 == 2) {
        assertNull(cache.get(2, i * BLOCK_BYTES));
      } else {
        assertNotNull(cache.get(i % 4, i * BLOCK_BYTES));
      }
    }
    assertEquals(750L * BLOCK_BYTES, cache.sizeBytes());
  }

  @Test
  void randomPutsGetsAndSegmentEvictionsAgreeWithAMapOfWhatWasPut() {
    BlockCache cache = new BlockCache(SMALL_CAPACITY_BYTES);
    Map<Long, byte[]> latest = new HashMap<>();
    Random random = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      long fileNumber = random.nextInt(4);
      int blockOffset = random.nextInt(512) * 64;
      long key = (fileNumber << 32) | blockOffset;
      int op = random.nextInt(100);
      if (op < 40) {
        byte[] block = new byte[1 + random.nextInt(2 * BLOCK_BYTES)];
        cache.put(fileNumber, blockOffset, block);
        latest.put(key, block);
      } else if (op < 99) {
        byte[] cached = cache.get(fileNumber, blockOffset);
        if (cached != null) {
          assertSame(latest.get(key), cached, "block of " + fileNumber + "@" + blockOffset);
        }
      } else {
        cache.evictSegment(fileNumber);
        latest.keySet().removeIf(k -> (k >>> 32) == fileNumber);
      }
    }
  }
}
