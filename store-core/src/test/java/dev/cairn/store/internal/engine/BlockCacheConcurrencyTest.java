package dev.cairn.store.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link BlockCache} under threads that put, get and evict segments at once, with a capacity small
 * enough that eviction and table moves never stop: a get must never return another key's block.
 * Each block carries its own key, so any thread can check what it got.
 */
class BlockCacheConcurrencyTest {
  private static final int THREADS = 4;
  private static final int OPERATIONS_PER_THREAD = 400_000;

  @Test
  void concurrentGetsNeverReturnAnotherKeysBlock() throws Exception {
    for (long capacity : new long[] {64 * 1024, 24L << 20}) {
      BlockCache cache = new BlockCache(capacity);
      AtomicLong hits = new AtomicLong();
      CyclicBarrier start = new CyclicBarrier(THREADS);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int seed = t;
          done.add(pool.submit(() -> {
            start.await();
            Random random = new Random(seed);
            for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
              long fileNumber = random.nextInt(3);
              int blockOffset = random.nextInt(4096) * 32;
              int op = random.nextInt(100);
              if (op < 30) {
                cache.put(fileNumber, blockOffset, block(fileNumber, blockOffset, 16 + random.nextInt(2048)));
              } else if (op < 99) {
                byte[] cached = cache.get(fileNumber, blockOffset);
                if (cached != null) {
                  ByteBuffer b = ByteBuffer.wrap(cached);
                  assertEquals(fileNumber, b.getLong(0), "file number of the block got");
                  assertEquals(blockOffset, b.getInt(8), "offset of the block got");
                  hits.incrementAndGet();
                }
              } else {
                cache.evictSegment(fileNumber);
              }
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get(2, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      org.junit.jupiter.api.Assertions.assertTrue(hits.get() > 0, "no get ever hit");
      org.junit.jupiter.api.Assertions.assertTrue(cache.sizeBytes() <= capacity);
    }
  }

  private static byte[] block(long fileNumber, int blockOffset, int byteCount) {
    return ByteBuffer.allocate(byteCount).putLong(fileNumber).putInt(blockOffset).array();
  }

  /**
   * One thread puts blocks of 32 keys into a cache that holds about 8 of them, so that every put
   * evicts and moves entries along the probe paths that the other thread is reading; the reader
   * must never take a block from a slot whose key changed while it looked.
   */
  @Test
  void aGetRacingEvictionsInATinyTableNeverReturnsAnotherKeysBlock() throws Exception {
    BlockCache cache = new BlockCache(8 * 64);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    AtomicLong hits = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> writer = pool.submit(() -> {
        Random random = new Random(1);
        while (System.nanoTime() < deadline) {
          int blockOffset = random.nextInt(32);
          cache.put(1, blockOffset, block(1, blockOffset, 64));
        }
        return null;
      });
      Future<?> reader = pool.submit(() -> {
        Random random = new Random(2);
        while (System.nanoTime() < deadline) {
          for (int i = 0; i < 1_000; i++) {
            int blockOffset = random.nextInt(32);
            byte[] cached = cache.get(1, blockOffset);
            if (cached != null) {
              assertEquals(blockOffset, ByteBuffer.wrap(cached).getInt(8), "offset of the block got");
              hits.incrementAndGet();
            }
          }
        }
        return null;
      });
      writer.get(1, TimeUnit.MINUTES);
      reader.get(1, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }
    org.junit.jupiter.api.Assertions.assertTrue(hits.get() > 0, "no get ever hit");
  }
}
