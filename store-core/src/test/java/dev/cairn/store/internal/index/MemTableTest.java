package dev.cairn.store.internal.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.internal.util.Bytes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MemTableTest {
  private static String hex(byte[] key) {
    return HexFormat.of().formatHex(key);
  }

  private static Version version(long sequence) {
    return Version.tombstone(sequence, null);
  }

  /** Keys of 0 to 24 bytes, many sharing their first eight (so prefixes tie and keys decide). */
  private static byte[] randomKey(SplittableRandom r) {
    byte[] k = new byte[r.nextInt(25)];
    r.nextBytes(k);
    if (k.length >= 8 && r.nextBoolean()) {
      System.arraycopy("counter:".getBytes(), 0, k, 0, 8);
    }
    return k;
  }

  private static void assertSameEntries(List<Map.Entry<byte[], Version>> expected, Iterator<Map.Entry<byte[], Version>> actual,
      String what) {
    for (Map.Entry<byte[], Version> e : expected) {
      assertTrue(actual.hasNext(), what + ": ends early, before " + hex(e.getKey()));
      Map.Entry<byte[], Version> a = actual.next();
      assertArrayEquals(e.getKey(), a.getKey(), what);
      assertSame(e.getValue(), a.getValue(), what);
    }
    assertFalse(actual.hasNext(), what + ": entries past the expected ones");
  }

  @Test
  void matchesASortedMap_acrossLeafAndBranchSplits() {
    SplittableRandom r = new SplittableRandom(7);
    MemTable table = new MemTable();
    TreeMap<byte[], Version> model = new TreeMap<>(Bytes.KEY_ORDER);
    List<byte[]> written = new ArrayList<>();
    for (int i = 0; i < 60_000; i++) {
      byte[] key = !written.isEmpty() && r.nextInt(4) == 0 ? written.get(r.nextInt(written.size())) : randomKey(r);
      Version v = version(i);
      assertSame(model.put(key, v), table.put(key.clone(), v), "put " + i);
      written.add(key);
      if (i % 5_000 == 0) {
        assertEquals(model.size(), table.size());
      }
    }
    assertEquals(model.size(), table.size());
    for (byte[] key : written) {
      assertSame(model.get(key), table.get(key));
    }
    for (int i = 0; i < 2_000; i++) {
      byte[] absent = randomKey(r);
      assertSame(model.get(absent), table.get(absent));
    }
    assertSameEntries(new ArrayList<>(model.entrySet()), table.walk(null, null), "whole walk");
    for (int i = 0; i < 300; i++) {
      byte[] a = r.nextInt(10) == 0 ? null : randomKey(r);
      byte[] b = r.nextInt(10) == 0 ? null : randomKey(r);
      if (a != null && b != null && Bytes.compareKeys(a, b) > 0) {
        byte[] t = a;
        a = b;
        b = t;
      }
      Map<byte[], Version> sub = a == null && b == null ? model : a == null ? model.headMap(b, false)
          : b == null ? model.tailMap(a, true) : model.subMap(a, true, b, false);
      assertSameEntries(new ArrayList<>(sub.entrySet()), table.walk(a, b), "walk " + i);
    }
  }

  @Test
  void aKeyOverwrittenAgainAndAgain_isFoundInItsLeafAcrossSplitsAroundIt() {
    // Every other put overwrites one key (the overwrites after the first go through the finger);
    // the others insert keys that share its eight-byte prefix, which split its leaf and the
    // branches above it again and again.
    SplittableRandom r = new SplittableRandom(9);
    MemTable table = new MemTable();
    TreeMap<byte[], Version> model = new TreeMap<>(Bytes.KEY_ORDER);
    byte[] hot = "counter:00050000".getBytes();
    for (int i = 0; i < 40_000; i++) {
      Version v = version(i);
      byte[] key = i % 2 == 0 ? hot : String.format("counter:%08d", r.nextInt(100_000)).getBytes();
      assertSame(model.put(key, v), table.put(key.clone(), v), "put " + i);
      assertSame(model.get(hot), table.get(hot.clone()), "the overwritten key after put " + i);
      if (i % 4_000 == 0) {
        assertSameEntries(new ArrayList<>(model.entrySet()), table.walk(null, null), "walk after put " + i);
      }
    }
    assertEquals(model.size(), table.size());
    assertSameEntries(new ArrayList<>(model.entrySet()), table.walk(null, null), "whole walk");
  }

  @Test
  void replace_swapsOnlyTheExpectedHead() {
    MemTable table = new MemTable();
    byte[] key = {1, 2, 3};
    Version first = version(1);
    Version second = version(2);
    table.put(key, first);
    assertFalse(table.replace(key, second, version(3)), "not the head");
    assertFalse(table.replace(new byte[] {9}, first, version(3)), "absent key");
    assertSame(first, table.get(key));
    assertTrue(table.replace(key, first, second));
    assertSame(second, table.get(key));
    assertEquals(1, table.size());
  }

  @Test
  void emptyTable_hasNoEntries() {
    MemTable table = new MemTable();
    assertTrue(table.isEmpty());
    assertNull(table.get(new byte[0]));
    assertFalse(table.walk(null, null).hasNext());
    table.put(new byte[0], version(1));
    assertFalse(table.isEmpty());
    assertSame(table.get(new byte[0]), table.walk(null, new byte[] {0}).next().getValue(), "the empty key sorts first");
  }

  /**
   * Readers race one writer that inserts new keys and overwrites old ones (each version's
   * sequence grows). Every key written before a read began must be found, with a version at
   * least as new as the one it had then; every walk must be in strict key order and include each
   * key present before it began.
   */
  @Test
  void readersRacingTheWriter_seeEveryEarlierKeyInOrder() throws Exception {
    int keys = 40_000;
    SplittableRandom r = new SplittableRandom(11);
    byte[][] all = new byte[keys][];
    for (int i = 0; i < keys; i++) {
      all[i] = ByteBuffer.allocate(10).put((byte) r.nextInt(256)).put((byte) r.nextInt(256)).putLong(i).array();
    }
    MemTable table = new MemTable();
    long[] published = new long[keys]; // sequence of each key's latest version; 0 until written
    int half = keys / 2;
    for (int i = 0; i < half; i++) {
      table.put(all[i], version(i + 1));
      published[i] = i + 1;
    }
    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    Thread writer = new Thread(() -> {
      SplittableRandom w = new SplittableRandom(3);
      long sequence = keys;
      for (int i = half; i < keys; i++) {
        table.put(all[i], version(++sequence));
        int old = w.nextInt(half);
        table.put(all[old], version(++sequence));
      }
      stop.set(true);
    });
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int seed = t;
      readers.add(new Thread(() -> {
        SplittableRandom rr = new SplittableRandom(seed);
        while (!stop.get() && failures.isEmpty()) {
          int i = rr.nextInt(half);
          Version v = table.get(all[i]);
          if (v == null || v.sequence < published[i]) {
            failures.add("get of key " + i + " returned " + v);
          }
          int walked = 0;
          byte[] previous = null;
          for (Iterator<Map.Entry<byte[], Version>> it = table.walk(null, null); it.hasNext(); ) {
            byte[] k = it.next().getKey();
            if (previous != null && Bytes.compareKeys(previous, k) >= 0) {
              failures.add("walk out of order at " + hex(k));
            }
            previous = k;
            walked++;
          }
          if (walked < half) {
            failures.add("walk saw " + walked + " keys; " + half + " were there before it");
          }
        }
      }));
    }
    readers.forEach(Thread::start);
    writer.start();
    writer.join();
    for (Thread t : readers) {
      t.join();
    }
    assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.peek());
    assertEquals(keys, table.size());
  }
}
