package dev.cairn.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many threads against one store: atomic updates, consistent scans, shared fsyncs. */
class ConcurrencyTest {
  @TempDir
  Path dir;

  private static byte[] increment(byte[] old) {
    long n = old == null ? 0 : ByteBuffer.wrap(old).getLong();
    return ByteBuffer.allocate(8).putLong(n + 1).array();
  }

  @Test
  void concurrentUpdateIncrementsLoseNone() throws Exception {
    try (Store store = Store.open(dir, StoreOptions.builder().walRotateBytes(64 * 1024).build())) {
      int threads = 8;
      int perThread = 2000;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            store.update("counter".getBytes(UTF_8), ConcurrencyTest::increment);
            store.update(("own" + (i % 10)).getBytes(UTF_8), ConcurrencyTest::increment);
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get(2, TimeUnit.MINUTES);
      }
      pool.shutdown();
      assertEquals(threads * perThread, ByteBuffer.wrap(store.get("counter".getBytes(UTF_8))).getLong());
      long own = 0;
      for (int i = 0; i < 10; i++) {
        own += ByteBuffer.wrap(store.get(("own" + i).getBytes(UTF_8))).getLong();
      }
      assertEquals(threads * perThread, own);
    }
  }

  @Test
  void concurrentCompareAndSetHasExactlyOneWinnerPerRound() throws Exception {
    try (Store store = Store.open(dir)) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      for (int round = 0; round < 50; round++) {
        byte[] key = ("race" + round).getBytes(UTF_8);
        AtomicInteger winners = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          byte[] mine = ("thread" + t).getBytes(UTF_8);
          futures.add(pool.submit(() -> {
            if (store.compareAndSet(key, null, mine)) {
              winners.incrementAndGet();
            }
          }));
        }
        for (Future<?> f : futures) {
          f.get(1, TimeUnit.MINUTES);
        }
        assertEquals(1, winners.get(), "round " + round);
      }
      pool.shutdown();
    }
  }

  @Test
  void scansWhileWritersRunSeeWholeBatchesOnly() throws Exception {
    StoreOptions options = StoreOptions.builder().walRotateBytes(64 * 1024).blockBytes(4096).build();
    try (Store store = Store.open(dir, options)) {
      int pairs = 50;
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int writer = w;
        writers.add(pool.submit(() -> {
          for (long n = 1; !stop.get(); n++) {
            int pair = (int) ((n * 31 + writer) % pairs);
            String value = writer + ":" + n + ":" + "x".repeat(100);
            store.write(WriteBatch.create().put("a" + pair, value).put("b" + pair, value));
            if (n % 2000 == 0) {
              store.compact();
            }
          }
          return null;
        }));
      }
      int scans = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
      while (System.nanoTime() < deadline) {
        java.util.Map<String, String> seen = new java.util.HashMap<>();
        try (Cursor c = store.scan(KeyRange.all())) {
          c.forEachRemaining(e -> seen.put(e.keyString(), e.valueString()));
        }
        for (int p = 0; p < pairs; p++) {
          assertEquals(seen.get("a" + p), seen.get("b" + p), "pair " + p + " in scan " + scans);
        }
        scans++;
      }
      stop.set(true);
      for (Future<?> f : writers) {
        f.get(1, TimeUnit.MINUTES);
      }
      pool.shutdown();
      assertTrue(scans > 10, "scans run: " + scans);
    }
  }

  @Test
  void concurrentSyncWritersShareFsyncs() throws Exception {
    StoreOptions options = StoreOptions.builder().durability(Durability.SYNC).build();
    try (Store store = Store.open(dir, options)) {
      long fsyncsBefore = store.stats().fsyncs();
      int writes = 4000;
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      for (int i = 0; i < writes; i++) {
        futures.add(store.writeAsync(WriteBatch.create().put("k" + i, "v" + i)));
      }
      CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(2, TimeUnit.MINUTES);
      long fsyncs = store.stats().fsyncs() - fsyncsBefore;
      assertTrue(fsyncs < writes / 4, writes + " durable writes took " + fsyncs + " fsyncs");
      assertEquals("v3999", store.get("k3999"));
    }
  }

  @Test
  void blockingWritersFromManyThreadsAllLand() throws Exception {
    StoreOptions options = StoreOptions.builder().durability(Durability.periodic(Duration.ofMillis(10)))
        .walRotateBytes(64 * 1024).build();
    try (Store store = Store.open(dir, options)) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 1000; i++) {
            store.put("t" + thread + "-" + i, "v" + i);
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get(2, TimeUnit.MINUTES);
      }
      pool.shutdown();
      assertEquals(8000, store.stats().keys());
      assertEquals(8000, store.lastSequence());
    }
    try (Store store = Store.open(dir)) {
      assertEquals("v999", store.get("t7-999"));
      assertEquals(8000, store.stats().keys());
    }
  }
}
