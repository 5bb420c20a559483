package dev.cairn.store.internal.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.internal.util.Bytes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyMap}: the same answers as a {@link TreeMap} in unsigned key order, for keys that share
 * their first eight bytes too; and readers racing the writer never see a key out of order, twice,
 * or with a version it was not given.
 */
class KeyMapTest {
  @Test
  void putGetReplaceAndRanges_matchATreeMap() {
    Random random = new Random(11);
    KeyMap map = new KeyMap();
    TreeMap<byte[], Version> model = new TreeMap<>(Bytes.KEY_ORDER);
    for (int i = 0; i < 20_000; i++) {
      byte[] key = randomKey(random);
      Version v = Version.tombstone(i + 1, null);
      assertSame(model.put(key, v), map.put(key, v), "put returns the replaced version");
      if (i % 7 == 0) {
        byte[] some = randomKey(random);
        Version expected = model.get(some);
        Version replacement = Version.tombstone(-i, null);
        boolean replaced = map.replace(some, expected == null ? v : expected, replacement);
        assertEquals(expected != null, replaced, "replace of a held key with its version");
        if (replaced) {
          model.put(some, replacement);
          assertFalse(map.replace(some, expected, v), "replace with a stale expected version");
        }
      }
    }
    assertEquals(model.size(), map.size());
    for (int i = 0; i < 5_000; i++) {
      byte[] key = randomKey(random);
      assertSame(model.get(key), map.get(key));
    }
    assertEquals(keys(model.keySet()), keys(map.entries(null, null)), "whole map in order");
    for (int i = 0; i < 200; i++) {
      byte[] a = randomKey(random);
      byte[] b = randomKey(random);
      byte[] from = Bytes.KEY_ORDER.compare(a, b) <= 0 ? a : b;
      byte[] to = from == a ? b : a;
      assertEquals(keys(model.subMap(from, true, to, false).keySet()), keys(map.entries(from, to)));
      assertEquals(keys(model.tailMap(from, true).keySet()), keys(map.entries(from, null)));
      assertEquals(keys(model.headMap(to, false).keySet()), keys(map.entries(null, to)));
    }
    for (Iterator<Map.Entry<byte[], Version>> it = map.entries(null, null); it.hasNext(); ) {
      Map.Entry<byte[], Version> e = it.next();
      assertSame(model.get(e.getKey()), e.getValue());
    }
  }

  @Test
  void readersRacingTheWriter_seeSortedDistinctKeys_andOnlyVersionsTheWriterPut() throws InterruptedException {
    KeyMap map = new KeyMap();
    int writes = 200_000;
    Random random = new Random(5);
    byte[][] keys = new byte[writes][];
    for (int i = 0; i < writes; i++) {
      keys[i] = randomKey(random);
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread writer = new Thread(() -> {
      for (int i = 0; i < writes; i++) {
        map.put(keys[i], Version.tombstone(i + 1, null));
      }
    });
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      Random mine = new Random(r);
      readers.add(new Thread(() -> {
        try {
          while (writer.isAlive()) {
            byte[] previous = null;
            int seen = 0;
            for (Iterator<Map.Entry<byte[], Version>> it = map.entries(null, null); it.hasNext() && seen < 2_000; seen++) {
              Map.Entry<byte[], Version> e = it.next();
              if (previous != null && Bytes.KEY_ORDER.compare(previous, e.getKey()) >= 0) {
                throw new AssertionError("keys out of order or repeated");
              }
              checkVersion(keys, e.getKey(), e.getValue());
              previous = e.getKey();
            }
            int i = mine.nextInt(writes);
            Version v = map.get(keys[i]);
            if (v != null) {
              checkVersion(keys, keys[i], v);
            }
          }
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        }
      }));
    }
    readers.forEach(Thread::start);
    writer.start();
    writer.join();
    for (Thread t : readers) {
      t.join();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    for (int i = 0; i < writes; i++) {
      Version v = map.get(keys[i]);
      assertTrue(v != null && v.sequence >= i + 1, "key " + i + " holds its last version");
    }
  }

  /** The writer put version {@code i + 1} for key {@code i}; a key written twice holds the later. */
  private static void checkVersion(byte[][] keys, byte[] key, Version v) {
    int i = (int) v.sequence - 1;
    if (i < 0 || i >= keys.length || Bytes.KEY_ORDER.compare(keys[i], key) != 0) {
      throw new AssertionError("version " + v.sequence + " under a key it was not put under");
    }
  }

  @Test
  void emptyMap_hasNoEntries() {
    KeyMap map = new KeyMap();
    assertTrue(map.isEmpty());
    assertNull(map.get(new byte[] {1}));
    assertFalse(map.entries(null, null).hasNext());
    assertFalse(map.replace(new byte[] {1}, null, Version.tombstone(1, null)));
  }

  /**
   * Keys of 0 to 12 bytes from a small alphabet, so that many share their first eight bytes (the
   * prefix the map compares first) and some are prefixes of others.
   */
  private static byte[] randomKey(Random random) {
    byte[] key = new byte[random.nextInt(13)];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (i < 8 && random.nextInt(4) != 0 ? 0x80 : random.nextInt(4) * 0x55);
    }
    return key;
  }

  private static List<String> keys(Iterator<Map.Entry<byte[], Version>> it) {
    List<String> keys = new ArrayList<>();
    while (it.hasNext()) {
      keys.add(HexFormat.of().formatHex(it.next().getKey()));
    }
    return keys;
  }

  private static List<String> keys(Collection<byte[]> keySet) {
    return keySet.stream().map(HexFormat.of()::formatHex).toList();
  }
}
