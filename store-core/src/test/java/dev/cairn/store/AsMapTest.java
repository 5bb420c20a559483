package dev.cairn.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** {@link Store#asMap}: the ConcurrentMap contract, its views, and its link to the store. */
class AsMapTest {
  @TempDir Path dir;

  private Store store;
  private ConcurrentMap<String, String> map;

  @BeforeEach
  void openStore() {
    store = Store.open(dir);
    map = store.asMap(Codec.utf8(), Codec.utf8());
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  // ---------------------------------------------------------------- single-key methods

  @Test
  void get_returnsNullForAnAbsentKey_andTheValueOnceItIsPut() {
    assertNull(map.get("a"));
    map.put("a", "1");
    assertEquals("1", map.get("a"));
    assertEquals("1", store.get("a"));
  }

  @Test
  void put_returnsThePreviousValue() {
    assertNull(map.put("a", "1"));
    assertEquals("1", map.put("a", "2"));
    assertEquals("2", map.get("a"));
  }

  @Test
  void containsKey_isTrueOnlyWhileTheKeyHasAValue() {
    assertFalse(map.containsKey("a"));
    map.put("a", "1");
    assertTrue(map.containsKey("a"));
    map.remove("a");
    assertFalse(map.containsKey("a"));
  }

  @Test
  void containsValue_findsAValueHeldByAnyKey() {
    map.put("a", "1");
    map.put("b", "2");
    assertTrue(map.containsValue("2"));
    assertFalse(map.containsValue("3"));
  }

  @Test
  void remove_returnsTheRemovedValue_andNullForAnAbsentKey() {
    map.put("a", "1");
    assertEquals("1", map.remove("a"));
    assertNull(map.get("a"));
    assertFalse(store.contains("a".getBytes(StandardCharsets.UTF_8)));
    assertNull(map.remove("a"));
  }

  @Test
  void putIfAbsent_putsOnlyWhenAbsent_andReturnsTheValueItKept() {
    assertNull(map.putIfAbsent("a", "1"));
    assertEquals("1", map.putIfAbsent("a", "2"));
    assertEquals("1", map.get("a"));
  }

  @Test
  void removeKeyAndValue_removesOnlyWhenTheValueMatches() {
    map.put("a", "1");
    assertFalse(map.remove("a", "2"));
    assertFalse(map.remove("a", 1));
    assertEquals("1", map.get("a"));
    assertTrue(map.remove("a", "1"));
    assertFalse(map.containsKey("a"));
    assertFalse(map.remove("a", "1"));
  }

  @Test
  void replace_setsOnlyAKeyThatIsPresent_andReturnsThePreviousValue() {
    assertNull(map.replace("a", "1"));
    assertFalse(map.containsKey("a"));
    map.put("a", "1");
    assertEquals("1", map.replace("a", "2"));
    assertEquals("2", map.get("a"));
  }

  @Test
  void replaceOldWithNew_setsOnlyWhenTheOldValueMatches() {
    assertFalse(map.replace("a", "1", "2"));
    assertFalse(map.containsKey("a"));
    map.put("a", "1");
    assertFalse(map.replace("a", "9", "2"));
    assertEquals("1", map.get("a"));
    assertTrue(map.replace("a", "1", "2"));
    assertEquals("2", map.get("a"));
  }

  @Test
  void getOrDefault_returnsTheDefaultOnlyForAnAbsentKey() {
    map.put("a", "1");
    assertEquals("1", map.getOrDefault("a", "d"));
    assertEquals("d", map.getOrDefault("b", "d"));
  }

  // ---------------------------------------------------------------- compute family

  @Test
  void compute_putsReplacesAndRemoves() {
    BiFunction<String, String, String> append = (k, v) -> v == null ? k + "!" : v + "+";
    assertEquals("a!", map.compute("a", append));
    assertEquals("a!+", map.compute("a", append));
    assertEquals("a!+", map.get("a"));
    assertNull(map.compute("a", (k, v) -> null));
    assertFalse(map.containsKey("a"));
    assertNull(map.compute("b", (k, v) -> null));
    assertFalse(map.containsKey("b"));
  }

  @Test
  void computeIfAbsent_callsTheFunctionOnlyForAnAbsentKey() {
    AtomicInteger calls = new AtomicInteger();
    map.put("a", "1");
    assertEquals("1", map.computeIfAbsent("a", k -> "called" + calls.incrementAndGet()));
    assertEquals(0, calls.get());
    assertEquals("b!", map.computeIfAbsent("b", k -> k + "!"));
    assertEquals("b!", map.get("b"));
    assertNull(map.computeIfAbsent("c", k -> null));
    assertFalse(map.containsKey("c"));
  }

  @Test
  void computeIfPresent_callsTheFunctionOnlyForAPresentKey_andNullRemoves() {
    AtomicInteger calls = new AtomicInteger();
    assertNull(map.computeIfPresent("a", (k, v) -> "called" + calls.incrementAndGet()));
    assertEquals(0, calls.get());
    assertFalse(map.containsKey("a"));
    map.put("a", "1");
    assertEquals("a1", map.computeIfPresent("a", (k, v) -> k + v));
    assertEquals("a1", map.get("a"));
    assertNull(map.computeIfPresent("a", (k, v) -> null));
    assertFalse(map.containsKey("a"));
  }

  @Test
  void merge_putsTheValueWhenAbsent_combinesWhenPresent_andNullRemoves() {
    assertEquals("1", map.merge("a", "1", String::concat));
    assertEquals("12", map.merge("a", "2", String::concat));
    assertEquals("12", map.get("a"));
    assertNull(map.merge("a", "3", (old, given) -> null));
    assertFalse(map.containsKey("a"));
  }

  // ---------------------------------------------------------------- bulk methods

  @Test
  void forEach_visitsEveryEntryInKeyOrder() {
    map.put("c", "3");
    map.put("a", "1");
    map.put("b", "2");
    List<String> seen = new ArrayList<>();
    map.forEach((k, v) -> seen.add(k + "=" + v));
    assertEquals(List.of("a=1", "b=2", "c=3"), seen);
  }

  @Test
  void replaceAll_rewritesEveryValue_andRejectsANullResult() {
    map.put("a", "1");
    map.put("b", "2");
    map.replaceAll((k, v) -> k + v);
    assertEquals(Map.of("a", "a1", "b", "b2"), Map.copyOf(map));
    assertThrows(NullPointerException.class, () -> map.replaceAll((k, v) -> null));
    assertEquals("a1", map.get("a"));
  }

  @Test
  void putAll_putsEveryMapping() {
    map.put("a", "old");
    map.putAll(Map.of("a", "1", "b", "2"));
    assertEquals(Map.of("a", "1", "b", "2"), Map.copyOf(map));
  }

  @Test
  void clear_deletesEveryEntry_acrossManyIterationChunks() {
    for (int i = 0; i < 700; i++) {
      map.put("k" + i, "v" + i);
    }
    map.clear();
    assertTrue(map.isEmpty());
    try (Cursor cursor = store.scan(KeyRange.all())) {
      assertFalse(cursor.hasNext());
    }
  }

  @Test
  void sizeAndIsEmpty_countTheEntries() {
    assertTrue(map.isEmpty());
    assertEquals(0, map.size());
    map.put("a", "1");
    map.put("b", "2");
    map.put("c", "3");
    map.put("a", "overwritten");
    assertFalse(map.isEmpty());
    assertEquals(3, map.size());
    map.remove("b");
    assertEquals(2, map.size());
  }

  // ---------------------------------------------------------------- nulls

  @Test
  void nullKeysAndValuesAreRejectedEverywhere_andWriteNothing() {
    map.put("k", "old");
    BiFunction<String, String, String> f = (a, b) -> "new";
    Map<String, String> withNullValue = new HashMap<>();
    withNullValue.put("k", null);
    List<Executable> calls = List.of(
        () -> map.get(null),
        () -> map.containsKey(null),
        () -> map.containsValue(null),
        () -> map.getOrDefault(null, "d"),
        () -> map.put(null, "v"),
        () -> map.put("k", null),
        () -> map.remove(null),
        () -> map.remove(null, "old"),
        () -> map.putIfAbsent(null, "v"),
        () -> map.putIfAbsent("absent", null),
        () -> map.replace(null, "v"),
        () -> map.replace("k", null),
        () -> map.replace(null, "old", "v"),
        () -> map.replace("k", null, "v"),
        () -> map.replace("k", "old", null),
        () -> map.compute(null, f),
        () -> map.compute("k", null),
        () -> map.computeIfAbsent(null, k -> "v"),
        () -> map.computeIfAbsent("absent", null),
        () -> map.computeIfPresent(null, f),
        () -> map.computeIfPresent("k", null),
        () -> map.merge(null, "v", f),
        () -> map.merge("k", null, f),
        () -> map.merge("k", "v", null),
        () -> map.putAll(withNullValue),
        () -> map.forEach(null),
        () -> map.replaceAll(null),
        () -> map.keySet().contains(null),
        () -> map.keySet().remove(null));
    for (Executable call : calls) {
      assertThrows(NullPointerException.class, call);
    }
    assertFalse(map.remove("k", null));
    assertEquals(Map.of("k", "old"), Map.copyOf(map));
  }

  // ---------------------------------------------------------------- iteration

  @Test
  void int64Keys_iterateNumerically_negativeBeforePositive() {
    ConcurrentMap<Long, String> numbers = store.asMap(Codec.int64(), Codec.utf8());
    List<Long> keys = List.of(5L, -1L, 0L, Long.MIN_VALUE, Long.MAX_VALUE, -300L, 42L, 256L);
    for (long key : keys) {
      numbers.put(key, "v" + key);
    }
    List<Long> sorted = keys.stream().sorted().collect(Collectors.toList());
    assertEquals(sorted, new ArrayList<>(numbers.keySet()));
    assertEquals(
        sorted.stream().map(k -> "v" + k).collect(Collectors.toList()),
        new ArrayList<>(numbers.values()));
    assertEquals(Long.MIN_VALUE, numbers.entrySet().iterator().next().getKey());
  }

  @Test
  void iteration_returnsEveryEntryOnceInOrder_acrossManyChunks() {
    ConcurrentMap<Long, String> numbers = store.asMap(Codec.int64(), Codec.utf8());
    List<Long> keys = LongStream.range(-500, 500).boxed().collect(Collectors.toList());
    Collections.shuffle(keys, new Random(42));
    keys.forEach(k -> numbers.put(k, "v" + k));
    List<Long> seen = new ArrayList<>();
    for (Map.Entry<Long, String> e : numbers.entrySet()) {
      assertEquals("v" + e.getKey(), e.getValue());
      seen.add(e.getKey());
    }
    assertEquals(LongStream.range(-500, 500).boxed().collect(Collectors.toList()), seen);
  }

  @Test
  void iteratorOfAnEmptyMap_hasNoNext_andNextThrows() {
    Iterator<String> it = map.keySet().iterator();
    assertFalse(it.hasNext());
    assertThrows(NoSuchElementException.class, it::next);
  }

  @Test
  void iteratorRemove_deletesTheLastReturnedKey_onceAfterEachNext() {
    map.put("a", "1");
    map.put("b", "2");
    map.put("c", "3");
    Iterator<String> it = map.keySet().iterator();
    assertThrows(IllegalStateException.class, it::remove);
    assertEquals("a", it.next());
    assertEquals("b", it.next());
    it.remove();
    assertThrows(IllegalStateException.class, it::remove);
    assertEquals("c", it.next());
    assertFalse(it.hasNext());
    assertEquals(Set.of("a", "c"), Set.copyOf(map.keySet()));
    assertNull(store.get("b"));
  }

  @Test
  void iteratorRemove_duringAWalkOverManyChunks_deletesExactlyTheChosenKeys() {
    ConcurrentMap<Long, String> numbers = store.asMap(Codec.int64(), Codec.utf8());
    for (long k = 0; k < 700; k++) {
      numbers.put(k, "v");
    }
    int visited = 0;
    for (Iterator<Long> it = numbers.keySet().iterator(); it.hasNext(); visited++) {
      if (it.next() % 2 == 0) {
        it.remove();
      }
    }
    assertEquals(700, visited);
    assertEquals(350, numbers.size());
    assertTrue(numbers.keySet().stream().allMatch(k -> k % 2 == 1));
  }

  @Test
  void iterator_neverThrowsConcurrentModification_andReturnsUnchangedKeysOnceInOrder() {
    ConcurrentMap<Long, String> numbers = store.asMap(Codec.int64(), Codec.utf8());
    for (long k = 0; k < 600; k++) {
      numbers.put(k, "v");
    }
    List<Long> seen = new ArrayList<>();
    for (Long key : numbers.keySet()) {
      seen.add(key);
      if (key < 600) {
        numbers.put(-key - 1, "behind");
        numbers.put(key + 10_000, "ahead");
        numbers.remove(key + 300);
      }
    }
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i - 1) < seen.get(i), "ascending without repeats at " + i);
    }
    assertTrue(seen.containsAll(LongStream.range(0, 300).boxed().collect(Collectors.toList())));
  }

  @Test
  void entriesAreImmutable_setValueThrows() {
    map.put("a", "1");
    Map.Entry<String, String> entry = map.entrySet().iterator().next();
    assertEquals(Map.entry("a", "1"), entry);
    assertThrows(UnsupportedOperationException.class, () -> entry.setValue("2"));
    assertEquals("1", map.get("a"));
  }

  // ---------------------------------------------------------------- views

  @Test
  void keySet_containsRemoveRemoveIfRetainAllAndClear_actOnTheMap() {
    for (String k : List.of("a", "b", "c", "d", "e")) {
      map.put(k, "v" + k);
    }
    Set<String> keys = map.keySet();
    assertTrue(keys.contains("a"));
    assertFalse(keys.contains("z"));
    assertTrue(keys.remove("a"));
    assertFalse(keys.remove("a"));
    assertFalse(map.containsKey("a"));
    assertTrue(keys.removeIf(k -> k.equals("b")));
    assertFalse(map.containsKey("b"));
    assertTrue(keys.retainAll(Set.of("c", "d")));
    assertEquals(Map.of("c", "vc", "d", "vd"), Map.copyOf(map));
    assertEquals(2, keys.size());
    keys.clear();
    assertTrue(map.isEmpty());
  }

  @Test
  void values_containsRemoveAndRemoveIf_actOnTheMap() {
    map.put("a", "1");
    map.put("b", "2");
    map.put("c", "2");
    map.put("d", "3");
    assertEquals(List.of("1", "2", "2", "3"), new ArrayList<>(map.values()));
    assertTrue(map.values().contains("2"));
    assertFalse(map.values().contains("9"));
    assertTrue(map.values().remove("2"));
    assertEquals(Map.of("a", "1", "c", "2", "d", "3"), Map.copyOf(map));
    assertFalse(map.values().remove("9"));
    assertTrue(map.values().removeIf(v -> v.equals("3")));
    assertEquals(Map.of("a", "1", "c", "2"), Map.copyOf(map));
    assertEquals(2, map.values().size());
    map.values().clear();
    assertTrue(map.isEmpty());
  }

  @Test
  void entrySet_containsAndRemove_matchKeyAndValue() {
    map.put("a", "1");
    map.put("b", "2");
    Set<Map.Entry<String, String>> entries = map.entrySet();
    assertTrue(entries.contains(Map.entry("a", "1")));
    assertFalse(entries.contains(Map.entry("a", "2")));
    assertFalse(entries.contains(Map.entry("z", "1")));
    assertFalse(entries.remove(Map.entry("a", "2")));
    assertEquals("1", map.get("a"));
    assertTrue(entries.remove(Map.entry("a", "1")));
    assertFalse(map.containsKey("a"));
    assertTrue(entries.removeIf(e -> e.getValue().equals("2")));
    assertTrue(entries.isEmpty());
  }

  // ---------------------------------------------------------------- equality

  @Test
  void equalsHashCodeAndToString_matchATreeMapWithTheSameContent() {
    TreeMap<String, String> model = new TreeMap<>();
    for (int i = 0; i < 50; i++) {
      model.put("key" + i, "value" + i);
      map.put("key" + i, "value" + i);
    }
    assertEquals(model, map);
    assertEquals(map, model);
    assertEquals(model.hashCode(), map.hashCode());
    assertEquals(model.toString(), map.toString());
    assertEquals(model.keySet(), map.keySet());
    assertEquals(model.entrySet(), map.entrySet());
    map.put("key7", "changed");
    assertNotEquals(model, map);
    assertNotEquals(map, model);
  }

  @Test
  void byteArrayValues_compareByIdentityInRemoveKeyValue_butComputeAndRemoveIfUseStoredBytes() {
    ConcurrentMap<String, byte[]> blobs = store.asMap(Codec.utf8(), Codec.bytes());
    blobs.put("k", new byte[] {1});
    assertFalse(blobs.remove("k", new byte[] {1}), "documented: byte[] equals is identity");
    blobs.compute("k", (k, v) -> new byte[] {v[0], 2});
    assertArrayEquals(new byte[] {1, 2}, blobs.get("k"));
    assertTrue(blobs.values().removeIf(v -> v.length == 2));
    assertTrue(blobs.isEmpty());
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  void computeMergeAndPutIfAbsentFromEightThreads_loseNoIncrement() throws Exception {
    ConcurrentMap<String, Long> counters = store.asMap(Codec.utf8(), Codec.int64());
    int threads = 8;
    int increments = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < increments; i++) {
          counters.compute("computed", (k, v) -> v == null ? 1 : v + 1);
          counters.merge("merged", 1L, Long::sum);
          while (true) {
            Long current = counters.putIfAbsent("casLoop", 1L);
            if (current == null || counters.replace("casLoop", current, current + 1)) {
              break;
            }
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();
    long expected = (long) threads * increments;
    assertEquals(Map.of("computed", expected, "merged", expected, "casLoop", expected),
        Map.copyOf(counters));
  }

  @Test
  void putIfAbsentFromEightThreads_letsExactlyOneWin() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<String>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String mine = "thread" + t;
      futures.add(pool.submit(() -> {
        start.await();
        String previous = map.putIfAbsent("winner", mine);
        return previous == null ? mine : null;
      }));
    }
    start.countDown();
    List<String> winners = new ArrayList<>();
    for (Future<String> f : futures) {
      String won = f.get(1, TimeUnit.MINUTES);
      if (won != null) {
        winners.add(won);
      }
    }
    pool.shutdown();
    assertEquals(1, winners.size());
    assertEquals(winners.get(0), map.get("winner"));
  }

  // ---------------------------------------------------------------- link to the store

  @Test
  void theMapReflectsWritesMadeDirectlyThroughTheStore() {
    store.put("a", "1");
    assertEquals("1", map.get("a"));
    assertEquals(1, map.size());
    store.write(WriteBatch.create().put("b", "2").put("c", "3").delete("a"));
    assertEquals(List.of("b", "c"), new ArrayList<>(map.keySet()));
    assertFalse(map.containsKey("a"));
    store.compareAndSet(bytes("b"), bytes("2"), bytes("22"));
    assertEquals("22", map.get("b"));
  }

  @Test
  void keysTheKeyCodecCannotDecode_areOutsideTheMap_andSurviveClear() {
    store.put("text", "x");
    store.put(new byte[] {(byte) 0xFF}, bytes("not utf-8 key"));
    ConcurrentMap<Long, String> numbers = store.asMap(Codec.int64(), Codec.utf8());
    assertTrue(numbers.isEmpty());
    numbers.put(7L, "seven");
    assertEquals(1, numbers.size());
    assertEquals(List.of(7L), new ArrayList<>(numbers.keySet()));
    assertEquals(Set.of("text"), Set.copyOf(map.keySet()), "0xFF and 7L's encoding are not UTF-8");
    numbers.clear();
    assertTrue(numbers.isEmpty());
    assertEquals("x", store.get("text"));
  }

  @Test
  void operationsAfterTheStoreIsClosed_throwStoreClosedException() {
    map.put("a", "1");
    store.close();
    assertThrows(StoreClosedException.class, () -> map.get("a"));
    assertThrows(StoreClosedException.class, () -> map.put("b", "2"));
    assertThrows(StoreClosedException.class, () -> map.size());
    assertThrows(StoreClosedException.class, () -> map.keySet().iterator().hasNext());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
