package dev.cairn.store.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Compression;
import dev.cairn.store.Durability;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.StoreStats;
import dev.cairn.store.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thread interrupts against a store: an interrupt must never fail a call nor break the store for
 * other threads. This is the {@code FileChannel} hazard (an interrupt closes the channel for every
 * thread that shares it: the Elasticsearch and reactor-core #3068 lesson), checked where it would
 * bite: reads that go to segment files on every call (block cache off), and writes that rotate the
 * WAL, flush, fsync and compact.
 *
 * <p>Two kinds of tests: storms, where another thread interrupts workers at random moments, so that
 * interrupts land in the middle of file I/O; and calls made on a thread whose interrupt flag is
 * already set, which must return the right result and leave the flag set.
 */
class InterruptTest {
  private static final int KEYS = 20_000;
  private static final Duration STORM = Duration.ofSeconds(3);
  /**
   * Small WAL, so the data goes to segments as it is written; no block cache, so every read does
   * file I/O; small raw blocks, so that a read's time goes to file I/O (where an interrupt could do
   * harm) rather than to decompression; small segments, so the data stays in several files; no
   * change history, so that the WAL holds only what is not yet in a segment.
   */
  private static final StoreOptions SEGMENT_READS = StoreOptions.builder()
      .walRotateBytes(64 * 1024)
      .blockCacheBytes(0)
      .blockBytes(4 * 1024)
      .compression(Compression.NONE)
      .segmentBytes(1024 * 1024)
      .changeRetention(0, null)
      .build();

  /** Default options but a small WAL, so that writes rotate it, flush segments and checkpoint often. */
  private static final StoreOptions SMALL_WAL = StoreOptions.builder().walRotateBytes(64 * 1024).build();

  /** A closed store holding {@link #KEYS} keys, all in segment files; tests open copies of it. */
  private static Path loadedStore;

  @TempDir Path dir;

  @AfterEach
  void clearInterruptFlagOfTheTestThread() {
    Thread.interrupted();
  }

  // ---------------------------------------------------------------- storms

  @Test
  void getsInterruptedAtRandomMoments_neverFail_andEveryKeyStaysReadable() throws Exception {
    try (Store store = openWithKeysInSegments()) {
      AtomicBoolean stop = new AtomicBoolean();
      LongAdder reads = new LongAdder();
      LongAdder readsHitByInterrupt = new LongAdder();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      List<Thread> readers = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        int seed = r;
        readers.add(new Thread(() -> {
          Random random = new Random(seed);
          while (!stop.get()) {
            int i = random.nextInt(KEYS);
            try {
              String value = store.get(key(i));
              if (!value(i).equals(value)) {
                failures.add("get(" + key(i) + ") returned " + value);
              }
            } catch (Throwable t) {
              failures.add("get(" + key(i) + ") threw " + t);
            }
            reads.increment();
            if (Thread.interrupted()) {
              readsHitByInterrupt.increment();
            }
          }
        }, "reader-" + r));
      }
      long interrupts = storm(readers, stop);

      System.out.println("interrupt storm: " + interrupts + " interrupts, " + reads.sum() + " segment reads, "
          + readsHitByInterrupt.sum() + " of them interrupted, " + failures.size() + " failed");
      assertEquals(List.of(), firstFew(failures), "gets failed while being interrupted");
      assertTrue(readsHitByInterrupt.sum() >= 100, "only " + readsHitByInterrupt.sum() + " of " + reads.sum()
          + " gets were hit by one of " + interrupts + " interrupts: the storm proved nothing");
      for (int i = 0; i < KEYS; i++) {
        assertEquals(value(i), store.get(key(i)), "after the storm");
      }
      store.put("after-storm", "written");
      assertEquals("written", store.get("after-storm"));
    }
    try (Store reopened = Store.open(dir, SEGMENT_READS)) {
      assertEquals("written", reopened.get("after-storm"));
      assertEquals(value(KEYS - 1), reopened.get(key(KEYS - 1)));
    }
  }

  @Test
  void writesInterruptedAtRandomMoments_neverFail_andAllSurviveReopen() throws Exception {
    int writerCount = 2;
    long[] written = new long[writerCount];
    try (Store store = Store.open(dir, SMALL_WAL)) {
      AtomicBoolean stop = new AtomicBoolean();
      LongAdder writesHitByInterrupt = new LongAdder();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < writerCount; w++) {
        int writer = w;
        writers.add(new Thread(() -> {
          for (int n = 0; !stop.get(); n++) {
            try {
              store.put("w" + writer + "-" + n, value(n));
              if (n % 500 == 499) {
                store.flush();
              }
              if (n % 4000 == 3999) {
                store.compact();
              }
              written[writer] = n + 1;
            } catch (Throwable t) {
              failures.add("writer " + writer + ", put " + n + " threw " + t);
              return;
            }
            if (Thread.interrupted()) {
              writesHitByInterrupt.increment();
            }
          }
        }, "writer-" + w));
      }
      long interrupts = storm(writers, stop);

      System.out.println("interrupt storm: " + interrupts + " interrupts, " + (written[0] + written[1])
          + " writes (with flushes and compactions), " + writesHitByInterrupt.sum() + " of them interrupted, "
          + failures.size() + " failed");
      assertEquals(List.of(), firstFew(failures), "writes failed while being interrupted");
      assertTrue(writesHitByInterrupt.sum() >= 100, "only " + writesHitByInterrupt.sum()
          + " writes were hit by one of " + interrupts + " interrupts: the storm proved nothing");
      assertTrue(store.stats().segments() > 0, "the WAL never rotated during the storm");
      assertAllWritten(store, written);
    }
    try (Store reopened = Store.open(dir, SMALL_WAL)) {
      assertAllWritten(reopened, written);
    }
  }

  /** Starts {@code workers}, interrupts them at random moments for {@link #STORM}, stops and joins them. */
  private static long storm(List<Thread> workers, AtomicBoolean stop) throws InterruptedException {
    workers.forEach(Thread::start);
    Random random = new Random(42);
    long interrupts = 0;
    long end = System.nanoTime() + STORM.toNanos();
    while (System.nanoTime() < end) {
      for (Thread t : workers) {
        t.interrupt();
        interrupts++;
      }
      LockSupport.parkNanos(20_000 + random.nextInt(200_000));
    }
    stop.set(true);
    for (Thread t : workers) {
      t.join(60_000);
      assertFalse(t.isAlive(), t.getName() + " is stuck after the storm");
    }
    return interrupts;
  }

  private static void assertAllWritten(Store store, long[] written) {
    for (int w = 0; w < written.length; w++) {
      assertTrue(written[w] > 0, "writer " + w + " wrote nothing");
      for (int n = 0; n < written[w]; n++) {
        assertEquals(value(n), store.get("w" + w + "-" + n), "writer " + w + ", put " + n);
      }
    }
  }

  // ---------------------------------------------------------------- calls on an interrupted thread

  @Test
  void getOnAnInterruptedThread_readsTheSegmentValue_andKeepsTheInterruptFlag() throws IOException {
    try (Store store = openWithKeysInSegments()) {
      for (int i = 0; i < KEYS; i += 97) {
        int key = i;
        assertEquals(value(i), whileInterrupted("get", () -> store.get(key(key))));
      }
      assertNull(whileInterrupted("get of an absent key", () -> store.get("absent")));
      for (int i = 0; i < KEYS; i += 7) {
        assertEquals(value(i), store.get(key(i)), "after the interrupted gets");
      }
    }
  }

  @Test
  void putOnAnInterruptedThread_commits_andKeepsTheInterruptFlag() {
    long sequence;
    try (Store store = Store.open(dir)) {
      long before = store.lastSequence();
      sequence = whileInterrupted("put", () -> store.put("k", "v"));
      assertTrue(sequence > before, "put returned sequence " + sequence + " after " + before);
      assertEquals("v", store.get("k"));
    }
    try (Store reopened = Store.open(dir)) {
      assertEquals("v", reopened.get("k"));
      assertEquals(sequence, reopened.lastSequence());
    }
  }

  @Test
  void writesThatRotateTheWalOnAnInterruptedThread_allCommit_andKeepTheInterruptFlag() {
    try (Store store = Store.open(dir, SMALL_WAL)) {
      whileInterrupted("puts that rotate the WAL", () -> {
        for (int i = 0; i < 5000; i++) {
          store.put(key(i), value(i));
        }
        return null;
      });
      whileInterrupted("write(batch)", () -> store.write(WriteBatch.create().put("b1", "x").put("b2", "y")));
      assertTrue(whileInterrupted("delete", () -> store.delete(key(0))));
      assertEquals("u", new String(whileInterrupted("update",
          () -> store.update(key(1).getBytes(StandardCharsets.UTF_8), old -> new byte[] {'u'})), StandardCharsets.UTF_8));
      assertTrue(store.stats().segments() > 0, "5000 puts did not rotate a 64 KiB WAL");
    }
    try (Store reopened = Store.open(dir, SMALL_WAL)) {
      assertNull(reopened.get(key(0)));
      assertEquals("u", reopened.get(key(1)));
      for (int i = 2; i < 5000; i++) {
        assertEquals(value(i), reopened.get(key(i)));
      }
      assertEquals("x", reopened.get("b1"));
      assertEquals("y", reopened.get("b2"));
    }
  }

  @Test
  void openAndCloseOnAnInterruptedThread_work_andKeepTheInterruptFlag() {
    try (Store store = Store.open(dir, SMALL_WAL)) {
      store.put("k", "v");
    }
    Store store = whileInterrupted("open", () -> Store.open(dir, SMALL_WAL));
    assertEquals("v", store.get("k"), "the store opened on an interrupted thread lost its data");
    store.put("k", "v2");
    whileInterrupted("close", () -> {
      store.close();
      return null;
    });
    try (Store reopened = Store.open(dir, SMALL_WAL)) {
      assertEquals("v2", reopened.get("k"), "the close on an interrupted thread lost a write, or kept the lock");
    }
  }

  @Test
  void flushOnAnInterruptedThread_fsyncsTheWal_andKeepsTheInterruptFlag() {
    StoreOptions noBackgroundSync = StoreOptions.builder().durability(Durability.periodic(Duration.ofHours(1))).build();
    try (Store store = Store.open(dir, noBackgroundSync)) {
      store.put("k", "v");
      long fsyncsBefore = store.stats().fsyncs();
      whileInterrupted("flush", () -> {
        store.flush();
        return null;
      });
      assertTrue(store.stats().fsyncs() > fsyncsBefore, "flush made no fsync");
      assertEquals("v", store.get("k"));
      store.put("k", "v2");
    }
    try (Store reopened = Store.open(dir)) {
      assertEquals("v2", reopened.get("k"));
    }
  }

  @Test
  void compactOnAnInterruptedThread_reclaimsGarbage_andKeepsTheInterruptFlag() {
    StoreOptions manualCompaction =
        StoreOptions.builder().walRotateBytes(64 * 1024).blockCacheBytes(0).backgroundCompaction(false).build();
    try (Store store = Store.open(dir, manualCompaction)) {
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 2000; i++) {
          store.put(key(i), value(i + round));
        }
      }
      store.flush();
      double garbageBefore = store.stats().garbageRatio();
      long compactionsBefore = store.stats().compactions();
      assertTrue(garbageBefore > 0, "overwrites left no garbage to compact");
      whileInterrupted("compact", () -> {
        store.compact();
        return null;
      });
      assertTrue(store.stats().compactions() > compactionsBefore, "compact() did not compact");
      assertTrue(store.stats().garbageRatio() < garbageBefore,
          "garbage " + store.stats().garbageRatio() + " after compact(), " + garbageBefore + " before");
      for (int i = 0; i < 2000; i++) {
        assertEquals(value(i + 1), store.get(key(i)));
      }
    }
    try (Store reopened = Store.open(dir, manualCompaction)) {
      for (int i = 0; i < 2000; i++) {
        assertEquals(value(i + 1), reopened.get(key(i)));
      }
    }
  }

  /** Calls {@code call} with the interrupt flag set; asserts that the flag is still set after it, then clears it. */
  private static <T> T whileInterrupted(String what, Supplier<T> call) {
    Thread.currentThread().interrupt();
    try {
      T result = call.get();
      assertTrue(Thread.currentThread().isInterrupted(), what + " cleared the caller's interrupt flag");
      return result;
    } finally {
      Thread.interrupted();
    }
  }

  // ---------------------------------------------------------------- data

  /**
   * Writes {@link #KEYS} keys through a 64 KiB WAL, then compacts: that packs the WAL's tail into a
   * segment too, so that every value is in a segment file and the WAL is empty.
   */
  @BeforeAll
  static void loadKeysIntoSegments(@TempDir Path template) {
    loadedStore = template.resolve("loaded");
    try (Store store = Store.open(loadedStore, SEGMENT_READS)) {
      for (int i = 0; i < KEYS; i += 100) {
        WriteBatch batch = WriteBatch.create();
        for (int j = i; j < i + 100; j++) {
          batch.put(key(j), value(j));
        }
        store.write(batch);
      }
      store.compact();
    }
  }

  /** Opens a copy of {@link #loadedStore} in {@link #dir}. */
  private Store openWithKeysInSegments() throws IOException {
    try (Stream<Path> files = Files.list(loadedStore)) {
      for (Path file : files.toList()) {
        Files.copy(file, dir.resolve(file.getFileName()));
      }
    }
    Store store = Store.open(dir, SEGMENT_READS);
    StoreStats stats = store.stats();
    assertTrue(stats.segments() > 1, "the keys are in " + stats.segments() + " segments");
    assertTrue(stats.walBytes() < 1024, "the WAL holds " + stats.walBytes() + " bytes: some values may be read from memory");
    return store;
  }

  private static String key(int i) {
    return String.format("key-%05d", i);
  }

  private static String value(int i) {
    return "value-" + i + "-" + "x".repeat(i % 200);
  }

  private static List<String> firstFew(ConcurrentLinkedQueue<String> failures) {
    return failures.stream().limit(10).toList();
  }
}
