package dev.cairn.store.internal.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.WriteBatch;
import dev.cairn.store.internal.util.Bytes;
import dev.cairn.store.internal.wal.WalRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The index's levels (active map, frozen map, base run) against a sorted-map model: heads, ranges
 * and snapshot reads agree with the model after any interleaving of writes, deletes, merges,
 * snapshots and history trimming.
 */
class KeyIndexTest {
  private final KeyIndex index = new KeyIndex();
  private long sequence;

  private void put(byte[] key, byte[] value) {
    WalRecord r = WalRecord.encodeSingle(key, value);
    r.seal(++sequence);
    index.apply(List.of(r));
  }

  private void delete(byte[] key) {
    WalRecord r = WalRecord.encode(WriteBatch.create().delete(key));
    r.seal(++sequence);
    index.apply(List.of(r));
  }

  private static byte[] key(int i) {
    // Short, long and shared-prefix keys, so that equal eight-byte prefixes occur.
    return switch (i % 3) {
      case 0 -> new byte[] {(byte) (i >>> 8), (byte) i};
      case 1 -> ("key-" + i).getBytes();
      default -> ("shared-prefix-" + (i % 7) + "-" + i).getBytes();
    };
  }

  private static byte[] valueOf(Version v) {
    return v == null || v.isTombstone() ? null : v.copyOfValue();
  }

  private TreeMap<byte[], byte[]> content(Iterable<Map.Entry<byte[], Version>> entries, long at) {
    TreeMap<byte[], byte[]> seen = new TreeMap<>(Bytes.KEY_ORDER);
    byte[] previous = null;
    for (Map.Entry<byte[], Version> e : entries) {
      if (previous != null) {
        assertTrue(Bytes.compareKeys(previous, e.getKey()) < 0, "keys strictly ascending");
      }
      previous = e.getKey();
      byte[] value = valueOf(e.getValue().visibleAt(at));
      if (value != null) {
        seen.put(e.getKey(), value);
      }
    }
    return seen;
  }

  private static void assertSameContent(TreeMap<byte[], byte[]> expected, TreeMap<byte[], byte[]> actual) {
    assertEquals(expected.size(), actual.size(), "entries");
    var a = actual.entrySet().iterator();
    for (Map.Entry<byte[], byte[]> e : expected.entrySet()) {
      Map.Entry<byte[], byte[]> b = a.next();
      assertArrayEquals(e.getKey(), b.getKey());
      assertArrayEquals(e.getValue(), b.getValue());
    }
  }

  @Test
  void headsRangesAndSnapshotsMatchAModelAcrossMerges() {
    Random random = new Random(42);
    TreeMap<byte[], byte[]> model = new TreeMap<>(Bytes.KEY_ORDER);
    Map<KeyIndex.Registration, TreeMap<byte[], byte[]>> open = new HashMap<>();
    int merges = 0;
    boolean frozen = false;
    for (int step = 0; step < 20_000; step++) {
      int op = random.nextInt(100);
      byte[] k = key(random.nextInt(600));
      if (op < 55) {
        byte[] v = ("v" + step).getBytes();
        put(k, v);
        model.put(k, v);
      } else if (op < 80) {
        delete(k);
        model.remove(k);
      } else if (op < 85) {
        // A merge in two halves, with writes and reads in between while the frozen map is a level.
        if (frozen) {
          index.finishMerge();
          frozen = false;
          merges++;
        } else {
          frozen = index.freeze();
        }
      } else if (op < 88 && open.size() < 4) {
        open.put(index.registerSnapshot(), new TreeMap<>(model));
      } else if (op < 91 && !open.isEmpty()) {
        KeyIndex.Registration r = open.keySet().iterator().next();
        index.unregisterSnapshot(r);
        open.remove(r);
        index.trimHistory();
      } else if (op < 93) {
        index.trimHistory();
      }
      if (step % 500 == 0 || step == 19_999) {
        for (int i = 0; i < 600; i++) {
          assertArrayEquals(model.get(key(i)), valueOf(index.head(key(i))), "head of key " + i + " at step " + step);
        }
        assertSameContent(model, content(index.entries(), Long.MAX_VALUE));
        assertEquals(model.size(), index.counts()[0], "live keys");
        for (Map.Entry<KeyIndex.Registration, TreeMap<byte[], byte[]>> s : open.entrySet()) {
          assertSameContent(s.getValue(), content(index.entries(), s.getKey().sequence()));
          for (int i = 0; i < 600; i += 7) {
            assertArrayEquals(s.getValue().get(key(i)), valueOf(index.visibleAt(key(i), s.getKey().sequence())));
          }
        }
      }
    }
    assertTrue(merges > 100, "merges ran: " + merges);
  }

  @Test
  void readersNeverSeeAHeadGoBackOrVanishWhileMergesRun() throws Exception {
    int keys = 2_000;
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    Thread merger = new Thread(() -> {
      while (!stop.get()) {
        index.merge(); // as the maintenance thread does
      }
    });
    Thread reader = new Thread(() -> {
      long[] seen = new long[keys];
      Random random = new Random(3);
      try {
        while (!stop.get()) {
          int k = random.nextInt(keys);
          Version v = index.head(counterKey(k));
          long now = v == null ? 0 : Bytes.getLong(v.copyOfValue(), 0);
          if (now < seen[k]) {
            throw new AssertionError("key " + k + " went from " + seen[k] + " back to " + now);
          }
          seen[k] = now;
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    merger.start();
    reader.start();
    try {
      for (long round = 1; round <= 100; round++) {
        for (int k = 0; k < keys; k++) {
          byte[] value = new byte[8];
          Bytes.putLong(value, 0, round);
          put(counterKey(k), value);
        }
      }
    } finally {
      stop.set(true);
      merger.join();
      reader.join();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    index.merge();
    for (int k = 0; k < keys; k++) {
      assertEquals(100, Bytes.getLong(index.head(counterKey(k)).copyOfValue(), 0), "key " + k);
    }
  }

  @Test
  void rangeReturnsTheBoundsOfEveryLevel() {
    for (int i = 0; i < 300; i += 3) {
      put(key(i), new byte[] {1});
    }
    index.merge();
    for (int i = 1; i < 300; i += 3) {
      put(key(i), new byte[] {2});
    }
    for (int i = 2; i < 300; i += 3) {
      put(key(i), new byte[] {3});
    }
    List<byte[]> all = new ArrayList<>();
    for (Map.Entry<byte[], Version> e : index.entries()) {
      all.add(e.getKey());
    }
    assertEquals(300, all.size());
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      int from = random.nextInt(all.size());
      int to = from + random.nextInt(all.size() - from + 1);
      byte[] fromKey = all.get(from);
      byte[] toKey = to == all.size() ? null : all.get(to);
      List<byte[]> got = new ArrayList<>();
      for (Map.Entry<byte[], Version> e : index.range(fromKey, toKey)) {
        got.add(e.getKey());
      }
      assertEquals(to - from, got.size(), "entries in [" + from + ", " + to + ")");
      for (int i = 0; i < got.size(); i++) {
        assertArrayEquals(all.get(from + i), got.get(i));
      }
    }
    assertFalse(index.range(all.get(5), all.get(5)).iterator().hasNext(), "empty range");
  }

  @Test
  void mergeDropsTombstonesNoSnapshotNeedsAndKeepsTheRest() {
    put(key(1), new byte[] {1});
    put(key(2), new byte[] {2});
    index.merge();
    KeyIndex.Registration snapshot = index.registerSnapshot();
    delete(key(1));
    index.unregisterSnapshot(snapshot);
    KeyIndex.Registration second = index.registerSnapshot();
    delete(key(2)); // its old value is still needed by `second`
    index.merge();
    assertNull(valueOf(index.head(key(1))));
    assertNull(valueOf(index.head(key(2))));
    assertArrayEquals(new byte[] {2}, valueOf(index.visibleAt(key(2), second.sequence())));
    index.trimHistory();
    put(key(3), new byte[] {3});
    index.merge();
    assertEquals(List.of("key 2", "key 3"), headKeys(), "key 1's tombstone is gone, key 2's stays for the open snapshot");
    index.unregisterSnapshot(second);
    index.trimHistory();
    put(key(4), new byte[] {4});
    index.merge();
    assertEquals(List.of("key 3", "key 4"), headKeys());
  }

  private List<String> headKeys() {
    List<String> names = new ArrayList<>();
    for (Map.Entry<byte[], Version> e : index.entries()) {
      for (int i = 0; i < 10; i++) {
        if (Arrays.equals(key(i), e.getKey())) {
          names.add("key " + i);
        }
      }
    }
    names.sort(null);
    return names;
  }

  private static byte[] counterKey(int i) {
    byte[] k = new byte[4];
    Bytes.putInt(k, 0, i);
    return k;
  }

  @Test
  void wantsMergeAfterTheMinimumOrAFractionOfTheBase() {
    int min = KeyIndex.MIN_MERGE_KEYS;
    for (int i = 0; i < min - 1; i++) {
      put(counterKey(i), new byte[0]);
    }
    assertFalse(index.wantsMerge(), "below the minimum");
    put(counterKey(-1), new byte[0]);
    assertTrue(index.wantsMerge(), "at the minimum");
    index.merge();
    assertFalse(index.wantsMerge(), "merged");

    int base = 2 * KeyIndex.MERGE_FRACTION * min;
    for (int i = min; i < base; i++) {
      put(counterKey(i), new byte[0]);
    }
    index.merge();
    for (int i = 0; i < 2 * min - 1; i++) {
      put(counterKey(i), new byte[0]); // keys of the base count when the active map first takes them
    }
    assertFalse(index.wantsMerge(), "below the base's fraction, above the minimum");
    put(counterKey(2 * min - 1), new byte[0]);
    assertTrue(index.wantsMerge(), "at the base's fraction");
  }

  @Test
  void overwritesOfKeysTheActiveMapHoldsDoNotBringAMergeCloser() {
    int min = KeyIndex.MIN_MERGE_KEYS;
    for (int i = 0; i < 4 * min; i++) {
      put(counterKey(i % 3), counterKey(i));
      put(counterKey(3), counterKey(i));
      delete(counterKey(3));
    }
    assertFalse(index.wantsMerge(), "twelve merges' worth of writes to 4 keys");
    assertFalse(index.wantsIdleMerge(), "nor an idle one");
    assertArrayEquals(counterKey(4 * min - 1), valueOf(index.head(counterKey((4 * min - 1) % 3))));
    assertNull(valueOf(index.head(counterKey(3))), "the deleted key");
    for (int i = 0; i < min - 5; i++) {
      put(counterKey(100 + i), new byte[0]);
    }
    assertFalse(index.wantsMerge(), "one key short of the minimum");
    put(counterKey(-1), new byte[0]);
    assertTrue(index.wantsMerge(), "at the minimum of distinct keys");
  }

  @Test
  void headFindsEveryKeyInEveryLevel_whenTheActiveMapTakesFarMoreKeysThanItsFilterExpects() {
    // The maps' filters are sized for a merge's worth of keys; without merges the active map
    // outgrows its filter, which then must still never hide a key.
    int count = 8 * KeyIndex.MIN_MERGE_KEYS;
    for (int i = 0; i < count; i++) {
      put(counterKey(i), counterKey(i));
    }
    for (int i = 0; i < count; i += 3) {
      delete(counterKey(i));
    }
    assertHeads(count, "active");
    assertTrue(index.freeze());
    put(counterKey(count), new byte[1]);
    assertHeads(count, "frozen");
    index.finishMerge();
    assertHeads(count, "base");
    assertArrayEquals(new byte[1], valueOf(index.head(counterKey(count))));
    assertNull(index.head(counterKey(count + 1)));

    for (int i = 1; i < count; i += 3) {
      delete(counterKey(i)); // a tombstone in the new active map hides the base's version
    }
    for (int i = 1; i < count; i += 3) {
      assertTrue(index.head(counterKey(i)).isTombstone(), "key " + i + " deleted over the base");
    }
  }

  private void assertHeads(int count, String level) {
    for (int i = 0; i < count; i++) {
      Version head = index.head(counterKey(i));
      if (i % 3 == 0) {
        assertTrue(head == null || head.isTombstone(), level + ": key " + i + " was deleted");
      } else {
        assertArrayEquals(counterKey(i), valueOf(head), level + ": key " + i);
      }
    }
  }

  @Test
  void mergesAloneKeepTheLiveTotalsExact() {
    // Puts of keys new to the active map do not look below it; the merge that meets the hidden
    // version must count it out. Checked without settle(), after merges that empty both maps.
    Random random = new Random(7);
    TreeMap<byte[], byte[]> model = new TreeMap<>(Bytes.KEY_ORDER);
    for (int step = 0; step < 20_000; step++) {
      byte[] k = key(random.nextInt(400));
      int op = random.nextInt(100);
      if (op < 70) {
        byte[] v = new byte[random.nextInt(20)];
        put(k, v);
        model.put(k, v);
      } else if (op < 85) {
        delete(k);
        model.remove(k);
      } else if (op < 90) {
        index.merge();
      }
      if (step % 1000 == 999) {
        index.merge(); // what was active is in the base now, and the new active map is empty
        long bytes = 0;
        for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
          bytes += e.getKey().length + e.getValue().length;
        }
        assertArrayEquals(new long[] {model.size(), bytes}, index.unsettledTotals(), "live totals at step " + step);
        assertArrayEquals(new long[] {model.size(), bytes}, index.counts(), "counts() at step " + step);
      }
    }
  }

  @Test
  void countsAreExactWhileTheMapsStillHideUncountedVersions() {
    for (int i = 0; i < 100; i++) {
      put(counterKey(i), new byte[10]);
    }
    index.merge();
    for (int i = 0; i < 100; i += 2) {
      put(counterKey(i), new byte[3]); // hides a base version without counting it out
    }
    assertTrue(index.freeze());
    for (int i = 0; i < 100; i += 4) {
      put(counterKey(i), new byte[1]); // hides a frozen version
    }
    long bytes = 0;
    for (int i = 0; i < 100; i++) {
      bytes += 4 + (i % 4 == 0 ? 1 : i % 2 == 0 ? 3 : 10);
    }
    assertArrayEquals(new long[] {100, bytes}, index.counts());
    index.finishMerge(); // settle() counted them out already: the merge must not do it again
    index.merge();
    assertArrayEquals(new long[] {100, bytes}, index.unsettledTotals());
  }

  @Test
  void aMergeOfOverwritesOnly_keepsHeadsSnapshotsAndLiveTotalsExact() {
    int keys = 1_000;
    TreeMap<byte[], byte[]> model = new TreeMap<>(Bytes.KEY_ORDER);
    for (int i = 0; i < keys; i++) {
      put(key(i), new byte[i % 13]);
      model.put(key(i), new byte[i % 13]);
    }
    index.merge();
    KeyIndex.Registration snapshot = index.registerSnapshot();
    TreeMap<byte[], byte[]> atSnapshot = new TreeMap<>(model);
    Random random = new Random(21);
    for (int round = 0; round < 5; round++) {
      for (int w = 0; w < 300; w++) {
        byte[] k = key(random.nextInt(keys)); // every key is in the base: the merge writes in place
        byte[] v = new byte[random.nextInt(30)];
        random.nextBytes(v);
        put(k, v);
        model.put(k, v);
      }
      index.merge();
      assertSameContent(model, content(index.entries(), sequence));
      if (round <= 2) {
        assertSameContent(atSnapshot, content(index.entries(), snapshot.sequence()));
      }
      for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
        assertArrayEquals(e.getValue(), valueOf(index.head(e.getKey())));
      }
      long bytes = 0;
      for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
        bytes += e.getKey().length + e.getValue().length;
      }
      assertArrayEquals(new long[] {keys, bytes}, index.unsettledTotals(), "totals after round " + round);
      if (round == 2) {
        index.unregisterSnapshot(snapshot); // later rounds overwrite without keeping history
        index.trimHistory();
      }
    }
  }

  @Test
  void countsStayExact_whileMergesOfOverwritesRaceSettle() throws Exception {
    // settle() may run while a merge writes over the base in place, and must not count out the
    // version just written there instead of the one it hid.
    int keys = 3_000;
    long[] lengths = new long[keys];
    for (int i = 0; i < keys; i++) {
      put(counterKey(i), new byte[1]);
      lengths[i] = 1;
    }
    index.merge();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread merger = new Thread(() -> {
      while (!stop.get()) {
        index.merge(); // as the maintenance thread does
      }
    });
    Thread counter = new Thread(() -> {
      while (!stop.get()) {
        index.counts(); // as stats() does
      }
    });
    merger.start();
    counter.start();
    Random random = new Random(22);
    try {
      for (int w = 0; w < 300_000; w++) {
        int k = random.nextInt(keys);
        int length = 1 + random.nextInt(40);
        put(counterKey(k), new byte[length]);
        lengths[k] = length;
      }
    } finally {
      stop.set(true);
      merger.join();
      counter.join();
    }
    index.merge();
    long bytes = 0;
    for (long length : lengths) {
      bytes += 4 + length;
    }
    assertArrayEquals(new long[] {keys, bytes}, index.unsettledTotals());
    assertArrayEquals(new long[] {keys, bytes}, index.counts());
  }

  @Test
  void memKeysListEveryKeyPutSinceTheLastTake_andAnOverwrittenKeyOnce() {
    for (int i = 0; i < 1_000; i++) {
      put(key(1), ("v" + i).getBytes());
    }
    assertEquals(1, index.takeMemKeys().size(), "a key overwritten 1,000 times in one generation");
    put(key(1), "next".getBytes()); // its in-memory version is from the previous generation now
    assertEquals(1, index.takeMemKeys().size());

    Random random = new Random(7);
    Set<String> written = new HashSet<>();
    boolean frozen = false;
    int takes = 0;
    for (int step = 0; step < 20_000; step++) {
      int op = random.nextInt(100);
      byte[] k = key(random.nextInt(300));
      if (op < 60) {
        put(k, ("v" + step).getBytes());
        written.add(Arrays.toString(k));
      } else if (op < 80) {
        delete(k);
      } else if (op < 85) {
        if (frozen) {
          index.finishMerge();
        }
        frozen = !frozen && index.freeze();
      } else if (op < 88) {
        KeyIndex.Registration r = index.registerSnapshot();
        put(k, ("s" + step).getBytes()); // kept with history: the other way a version is applied
        written.add(Arrays.toString(k));
        index.unregisterSnapshot(r);
        index.trimHistory();
      } else if (op < 90) {
        List<byte[]> taken = index.takeMemKeys();
        Set<String> listed = new HashSet<>();
        for (byte[] t : taken) {
          listed.add(Arrays.toString(t));
        }
        // A key may be listed twice (a merge moved its version out of the active map): flushing dedups.
        Set<String> missing = new HashSet<>(written);
        missing.removeAll(listed);
        assertEquals(Set.of(), missing, "keys put but not listed at take " + takes);
        listed.removeAll(written);
        assertEquals(Set.of(), listed, "keys listed but not put at take " + takes);
        written.clear();
        takes++;
      }
    }
    assertTrue(takes > 100, "takes: " + takes);
  }
}
