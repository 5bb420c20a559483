package dev.cairn.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** Every method of {@link Store}, run over the matrix codec × durability ({@link StoreConfig}). */
@ParameterizedClass(name = "{0}")
@MethodSource("dev.cairn.store.StoreConfig#matrix")
class StoreBehaviourTest {
  @Parameter
  StoreConfig config;

  @TempDir
  Path dir;

  Store store;

  @BeforeEach
  void open() {
    store = Store.open(dir, config.options().build());
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void reopen() {
    store.close();
    store = Store.open(dir, config.options().build());
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  /** Writes keys {@code k<from>..k<to-1>} with {@code value(i)}, 100 to a batch (one fsync each under SYNC). */
  private void fill(int from, int to, java.util.function.IntFunction<String> value) {
    WriteBatch batch = WriteBatch.create();
    for (int i = from; i < to; i++) {
      batch.put("k" + i, value.apply(i));
      if (batch.size() == 100 || i == to - 1) {
        store.write(batch);
        batch.clear();
      }
    }
  }

  /** A value that compresses: a JSON-like document. */
  private static String doc(int i) {
    return "{\"id\":" + i + ",\"name\":\"user-" + i + "\",\"email\":\"user" + i + "@example.com\",\"active\":true}";
  }

  @Test
  void getOfAbsentKeyIsNull() {
    assertNull(store.get("missing"));
    assertNull(store.get(new byte[] {1, 2}));
    assertFalse(store.contains(b("missing")));
  }

  @Test
  void putThenGetReturnsTheValue_bytesAndStrings() {
    store.put(b("k"), new byte[] {0, -1, 7});
    store.put("text", "héllo");
    assertArrayEquals(new byte[] {0, -1, 7}, store.get(b("k")));
    assertEquals("héllo", store.get("text"));
    assertTrue(store.contains(b("k")));
  }

  @Test
  void putReturnsStrictlyIncreasingSequences_andLastSequenceFollows() {
    long first = store.put("a", "1");
    long second = store.put("a", "2");
    assertEquals(first + 1, second);
    assertEquals(second, store.lastSequence());
  }

  @Test
  void emptyKeyAndEmptyValueAreValid() {
    store.put(new byte[0], new byte[0]);
    assertArrayEquals(new byte[0], store.get(new byte[0]));
  }

  @Test
  void returnedValuesAreCopies_callerCannotChangeTheStore() {
    byte[] value = {1, 2, 3};
    store.put(b("k"), value);
    value[0] = 9;
    store.get(b("k"))[1] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, store.get(b("k")));
  }

  @Test
  void valuesGivenToUpdateAndBatchesAreCopied_callerCannotChangeTheStore() {
    byte[] next = {4, 5, 6};
    store.update(b("u"), old -> next);
    next[0] = 9;
    byte[] a = {7};
    byte[] c = {8, 8};
    store.write(WriteBatch.create().put(b("a"), a).put(b("c"), c));
    a[0] = 0;
    c[1] = 0;
    assertArrayEquals(new byte[] {4, 5, 6}, store.get(b("u")));
    assertArrayEquals(new byte[] {7}, store.get(b("a")));
    assertArrayEquals(new byte[] {8, 8}, store.get(b("c")));
    reopen(); // and as recovered from the WAL
    assertArrayEquals(new byte[] {4, 5, 6}, store.get(b("u")));
    assertArrayEquals(new byte[] {8, 8}, store.get(b("c")));
  }

  @Test
  void scannedEntriesAreCopies_callerCannotChangeTheStore() {
    store.put(b("k"), new byte[] {1, 2, 3});
    reopen(); // one value in a segment, one in memory
    store.put(b("m"), new byte[] {4, 5});
    try (Cursor cursor = store.scan(KeyRange.all())) {
      while (cursor.hasNext()) {
        Entry e = cursor.next();
        e.key()[0] = 'z';
        e.value()[0] = 9;
      }
    }
    try (Cursor cursor = store.scan(KeyRange.all())) {
      Entry k = cursor.next();
      Entry m = cursor.next();
      assertArrayEquals(b("k"), k.key());
      assertArrayEquals(new byte[] {1, 2, 3}, k.value());
      assertArrayEquals(b("m"), m.key());
      assertArrayEquals(new byte[] {4, 5}, m.value());
    }
    assertArrayEquals(new byte[] {1, 2, 3}, store.get(b("k")));
  }

  @Test
  void scanReturnsEveryValueWhenItsKeysAreSpreadOverMoreSegmentsThanACursorRemembers() throws InterruptedException {
    // Each round rotates the 64 KiB WAL at least once, and waits for the flush, so that it makes a
    // segment of its own (WAL files handed over while a flush runs are flushed together); the keys
    // of the rounds interleave, so consecutive keys of a scan come from different segments.
    int rounds = 24;
    int perRound = 200;
    TreeMap<String, byte[]> expected = new TreeMap<>();
    try (Store spread = Store.open(dir.resolve("spread"),
        config.options().walRotateBytes(64 << 10).backgroundCompaction(false).build())) {
      for (int round = 0; round < rounds; round++) {
        int segmentsBefore = spread.stats().segments();
        for (int i = 0; i < perRound; i++) {
          String key = String.format("k%05d", i * rounds + round);
          byte[] value = (key + "-" + "v".repeat(400)).getBytes(UTF_8);
          spread.put(b(key), value);
          expected.put(key, value);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (spread.stats().segments() == segmentsBefore && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
      }
      assertTrue(spread.stats().segments() > 16, "segments: " + spread.stats().segments());
      List<String> keys = new ArrayList<>();
      try (Cursor cursor = spread.scan(KeyRange.all())) {
        while (cursor.hasNext()) {
          Entry e = cursor.next();
          keys.add(e.keyString());
          assertArrayEquals(expected.get(e.keyString()), e.value(), e.keyString());
        }
      }
      assertEquals(new ArrayList<>(expected.keySet()), keys);
    }
  }

  @Test
  void deleteRemovesALiveValueAndReportsIt() {
    store.put("k", "v");
    long before = store.lastSequence();
    assertTrue(store.delete("k"));
    assertNull(store.get("k"));
    assertEquals(before + 1, store.lastSequence());
  }

  @Test
  void deleteOfAbsentKeyReturnsFalseAndWritesNothing() {
    long before = store.lastSequence();
    assertFalse(store.delete("nothing"));
    assertEquals(before, store.lastSequence());
  }

  @Test
  void compareAndSetWritesOnlyWhenTheExpectationHolds() {
    assertTrue(store.compareAndSet(b("k"), null, b("1")), "absent -> 1");
    assertFalse(store.compareAndSet(b("k"), null, b("2")), "expected absent but present");
    assertFalse(store.compareAndSet(b("k"), b("0"), b("2")), "wrong expected value");
    assertEquals("1", store.get("k"));
    assertTrue(store.compareAndSet(b("k"), b("1"), b("2")));
    assertEquals("2", store.get("k"));
    assertTrue(store.compareAndSet(b("k"), b("2"), null), "a null new value deletes");
    assertNull(store.get("k"));
    long before = store.lastSequence();
    assertTrue(store.compareAndSet(b("k"), null, null), "absent stays absent");
    assertEquals(before, store.lastSequence(), "absent -> absent writes nothing");
  }

  @Test
  void updateCreatesChangesAndDeletes() {
    assertArrayEquals(b("1"), store.update(b("n"), old -> old == null ? b("1") : null));
    assertArrayEquals(b("11"), store.update(b("n"), old -> (new String(old, UTF_8) + "1").getBytes(UTF_8)));
    assertEquals("11", store.get("n"));
    assertNull(store.update(b("n"), old -> null));
    assertNull(store.get("n"));
  }

  @Test
  void updateReturningTheSameValueWritesNothing() {
    store.put("k", "v");
    long before = store.lastSequence();
    assertArrayEquals(b("v"), store.update(b("k"), old -> old));
    assertEquals(before, store.lastSequence());
  }

  @Test
  void batchIsAppliedWholeUnderOneSequence() {
    store.put("gone", "x");
    long seq = store.write(WriteBatch.create().put("a", "1").put("b", "2").delete("gone").put("a", "3"));
    assertEquals(seq, store.lastSequence());
    assertEquals("3", store.get("a"), "later operations on a key win");
    assertEquals("2", store.get("b"));
    assertNull(store.get("gone"));
    try (Cursor c = store.scan(KeyRange.all())) {
      while (c.hasNext()) {
        assertEquals(seq, c.next().sequence());
      }
    }
  }

  @Test
  void emptyBatchWritesNothing() {
    long before = store.lastSequence();
    assertEquals(before, store.write(WriteBatch.create()));
    assertEquals(before, store.lastSequence());
  }

  @Test
  void writeAsyncCompletesWithTheSequenceAndTheWriteIsVisible() throws Exception {
    List<java.util.concurrent.CompletableFuture<Long>> futures = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      futures.add(store.writeAsync(WriteBatch.create().put("async" + i, "v" + i)));
    }
    long previous = 0;
    for (java.util.concurrent.CompletableFuture<Long> f : futures) {
      long seq = f.get(10, TimeUnit.SECONDS);
      assertTrue(seq > previous, "sequences follow submission order");
      previous = seq;
    }
    assertEquals("v99", store.get("async99"));
  }

  @Test
  void scanReturnsRangesInUnsignedKeyOrder() {
    store.put(new byte[] {(byte) 0xFF}, b("high"));
    store.put(new byte[] {0x01}, b("low"));
    store.put(new byte[] {(byte) 0x80, 1}, b("mid"));
    List<String> values = new ArrayList<>();
    try (Cursor c = store.scan(KeyRange.all())) {
      c.forEachRemaining(e -> values.add(e.valueString()));
    }
    assertEquals(List.of("low", "mid", "high"), values);
  }

  @Test
  void scanPrefixAndBetweenSelectExactlyTheirKeys() {
    for (String k : new String[] {"app", "apple", "apply", "apq", "b", "ap"}) {
      store.put(k, k);
    }
    assertEquals(List.of("ap", "app", "apple", "apply", "apq"), keys(KeyRange.prefix("ap")));
    assertEquals(List.of("app", "apple", "apply"), keys(KeyRange.prefix("app")));
    assertEquals(List.of("app", "apple", "apply", "apq"), keys(KeyRange.between("app", "b")));
    assertEquals(List.of(), keys(KeyRange.between("b", "a")));
    assertEquals(List.of("b"), keys(KeyRange.between("b", null)));
  }

  private List<String> keys(KeyRange range) {
    List<String> out = new ArrayList<>();
    try (Cursor c = store.scan(range)) {
      c.forEachRemaining(e -> out.add(e.keyString()));
    }
    return out;
  }

  @Test
  void scanIsPointInTime_laterWritesAreInvisible() {
    for (int i = 0; i < 100; i++) {
      store.put(String.format("k%03d", i), "old");
    }
    try (Cursor c = store.scan(KeyRange.all())) {
      assertTrue(c.hasNext());
      for (int i = 0; i < 100; i++) {
        store.put(String.format("k%03d", i), "new");
      }
      store.put("k500", "added");
      store.delete("k050");
      int n = 0;
      while (c.hasNext()) {
        assertEquals("old", c.next().valueString());
        n++;
      }
      assertEquals(100, n);
    }
  }

  @Test
  void snapshotSeesOneSequenceAcrossFlushesAndCompaction() {
    fill(0, 2000, StoreBehaviourTest::doc);
    try (Snapshot snap = store.snapshot()) {
      long seq = snap.sequence();
      fill(0, 2000, i -> "changed");
      store.delete("k7");
      store.compact();
      assertEquals(seq, snap.sequence());
      assertEquals(doc(7), snap.get("k7"));
      assertEquals(doc(1999), snap.get("k1999"));
      try (Cursor c = snap.scan(KeyRange.prefix("k1"))) {
        int n = 0;
        while (c.hasNext()) {
          Entry e = c.next();
          assertTrue(e.valueString().startsWith("{"), e.keyString());
          n++;
        }
        assertEquals(1111, n);
      }
    }
    assertEquals("changed", store.get("k1"));
  }

  @Test
  void valuesSurviveFlushToSegmentsAndReopen() {
    Random random = new Random(1);
    byte[] big = new byte[1 << 20];
    random.nextBytes(big);
    fill(0, 3000, StoreBehaviourTest::doc);
    store.put(b("big"), big);
    reopen();
    assertEquals(doc(0), store.get("k0"));
    assertEquals(doc(2999), store.get("k2999"));
    assertArrayEquals(big, store.get(b("big")));
    assertTrue(store.stats().segments() > 0, "values moved into segments");
  }

  @Test
  void sequencesContinueAfterReopen() {
    store.put("a", "1");
    long last = store.put("a", "2");
    reopen();
    assertEquals(last, store.lastSequence());
    assertEquals(last + 1, store.put("b", "1"));
  }

  @Test
  void compactReclaimsTheSpaceOfOverwrittenAndDeletedValues() {
    for (int round = 0; round < 4; round++) {
      int r = round;
      fill(0, 2000, i -> doc(i) + r);
    }
    WriteBatch deletes = WriteBatch.create();
    for (int i = 0; i < 1000; i++) {
      deletes.delete("k" + i);
    }
    store.write(deletes);
    store.compact();
    StoreStats stats = store.stats();
    assertEquals(1000, stats.keys());
    assertEquals(0.0, stats.garbageRatio(), 1e-9);
    assertEquals(doc(1500) + 3, store.get("k1500"));
    assertNull(store.get("k10"));
    reopen();
    assertEquals(doc(1999) + 3, store.get("k1999"));
    assertEquals(1000, store.stats().keys());
  }

  @Test
  void statsCountKeysBytesSegmentsAndFsyncs() {
    fill(0, 3000, StoreBehaviourTest::doc);
    store.flush();
    StoreStats stats = store.stats();
    assertEquals(3000, stats.keys());
    assertTrue(stats.liveBytes() > 3000 * 60, "live bytes " + stats.liveBytes());
    assertTrue(stats.fileBytes() > 0);
    assertTrue(stats.walBytes() > 0);
    assertTrue(stats.segments() >= 1);
    assertTrue(stats.fsyncs() > 0);
    assertEquals(store.lastSequence(), stats.lastSequence());
    if (config.compression() != Compression.NONE) {
      assertTrue(stats.compressionRatio() > 1.5, "JSON compresses: " + stats.compressionRatio());
    }
  }

  @Test
  void misuseIsRejectedAndWritesNothing() {
    long before = store.lastSequence();
    assertThrows(NullPointerException.class, () -> store.put((byte[]) null, b("v")));
    assertThrows(NullPointerException.class, () -> store.put(b("k"), null));
    assertThrows(NullPointerException.class, () -> store.get((byte[]) null));
    assertThrows(IllegalArgumentException.class,
        () -> store.put(new byte[StoreOptions.MAX_KEY_BYTES + 1], b("v")));
    assertThrows(IllegalArgumentException.class,
        () -> store.put(b("k"), new byte[StoreOptions.MAX_VALUE_BYTES + 1]));
    assertThrows(IllegalArgumentException.class,
        () -> store.update(b("k"), old -> new byte[StoreOptions.MAX_VALUE_BYTES + 1]));
    assertEquals(before, store.lastSequence());
    assertNull(store.get("k"));
  }

  @Test
  void everyOperationAfterCloseThrowsStoreClosed() {
    store.close();
    store.close(); // idempotent
    assertThrows(StoreClosedException.class, () -> store.get("k"));
    assertThrows(StoreClosedException.class, () -> store.put("k", "v"));
    assertThrows(StoreClosedException.class, () -> store.delete("k"));
    assertThrows(StoreClosedException.class, () -> store.scan(KeyRange.all()));
    assertThrows(StoreClosedException.class, () -> store.snapshot());
    assertThrows(StoreClosedException.class, () -> store.flush());
    assertThrows(StoreClosedException.class, () -> store.compact());
    assertThrows(StoreClosedException.class, () -> store.stats());
    java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> store.writeAsync(WriteBatch.create().put("k", "v")).get());
    assertTrue(e.getCause() instanceof StoreClosedException);
    store = Store.open(dir, config.options().build());
  }

  @Test
  void openCursorStopsWorkingWhenTheStoreCloses() {
    store.put("a", "1");
    store.put("b", "2");
    Cursor c = store.scan(KeyRange.all());
    c.next();
    store.close();
    assertThrows(StoreClosedException.class, c::hasNext);
    c.close();
    store = Store.open(dir, config.options().build());
  }

  @Test
  void secondOpenOfTheSameDirectoryIsLocked() {
    assertThrows(StoreLockedException.class, () -> Store.open(dir));
    store.put("still", "works");
    assertEquals("works", store.get("still"));
  }
}
