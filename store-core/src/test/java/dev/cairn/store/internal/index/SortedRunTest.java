package dev.cairn.store.internal.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.internal.util.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link SortedRun#find} agrees with a plain binary search, and {@link SortedRun#mergeUnder} with a
 * sorted map, whatever the keys' eight-byte prefixes; {@link SortedRun#overwriteUnder} writes over
 * the run only what it may.
 */
class SortedRunTest {

  private static void assertFindAgrees(byte[][] keys, byte[][] probes) {
    SortedRun run = new SortedRun(keys, new Version[keys.length], keys.length);
    for (byte[] probe : probes) {
      int expected = Arrays.binarySearch(keys, probe, Bytes.KEY_ORDER);
      assertEquals(expected, run.find(probe), () -> "find(" + Arrays.toString(probe) + ") in " + keys.length + " keys");
    }
  }

  private static byte[][] sorted(TreeSet<byte[]> set) {
    return set.toArray(new byte[0][]);
  }

  @Test
  void findAgreesWhenPrefixesRepeatAcrossSamples() {
    // Long runs of keys with one eight-byte prefix, short keys that are zero-padded prefixes of
    // longer ones, and random keys between them.
    Random random = new Random(11);
    TreeSet<byte[]> set = new TreeSet<>(Bytes.KEY_ORDER);
    for (int group = 0; group < 20; group++) {
      byte[] prefix = new byte[8];
      random.nextBytes(prefix);
      int n = random.nextInt(300);
      for (int i = 0; i < n; i++) {
        byte[] k = Arrays.copyOf(prefix, 8 + 1 + random.nextInt(6));
        fill(k, 8, random);
        set.add(k);
      }
      set.add(prefix);
      set.add(Arrays.copyOf(prefix, 3));
      set.add(new byte[] {prefix[0], prefix[1], 0, 0});
    }
    for (int i = 0; i < 2_000; i++) {
      byte[] k = new byte[1 + random.nextInt(20)];
      random.nextBytes(k);
      set.add(k);
    }
    set.add(new byte[0]);
    byte[][] keys = sorted(set);
    byte[][] probes = new byte[keys.length * 2][];
    for (int i = 0; i < keys.length; i++) {
      probes[2 * i] = keys[i];
      byte[] near = Arrays.copyOf(keys[i], keys[i].length + 1); // just after keys[i]
      probes[2 * i + 1] = random.nextBoolean() ? near : Arrays.copyOf(keys[i], Math.max(0, keys[i].length - 1));
    }
    assertFindAgrees(keys, probes);
  }

  private static byte[] fill(byte[] k, int from, Random random) {
    for (int i = from; i < k.length; i++) {
      k[i] = (byte) random.nextInt(256);
    }
    return k;
  }

  @Test
  void findAgreesOnEvenlySpreadKeys_withAndWithoutACommonPrefix() {
    Random random = new Random(13);
    TreeSet<byte[]> randomKeys = new TreeSet<>(Bytes.KEY_ORDER);
    TreeSet<byte[]> counterKeys = new TreeSet<>(Bytes.KEY_ORDER);
    for (int i = 0; i < 20_000; i++) {
      randomKeys.add(fill(new byte[16], 0, random));
      counterKeys.add(String.format("user:%08d", random.nextInt(100_000_000)).getBytes());
    }
    for (TreeSet<byte[]> set : java.util.List.of(randomKeys, counterKeys)) {
      byte[][] keys = sorted(set);
      byte[][] probes = new byte[keys.length * 2][];
      for (int i = 0; i < keys.length; i++) {
        probes[2 * i] = keys[i];
        probes[2 * i + 1] = random.nextBoolean()
            ? Arrays.copyOf(keys[i], keys[i].length - 1) // just before keys[i]
            : fill(new byte[keys[i].length], 0, random);
      }
      assertFindAgrees(keys, probes);
    }
  }

  @Test
  void findAgreesOnEverySizeAroundASample() {
    Random random = new Random(5);
    for (int size = 0; size <= 200; size++) {
      TreeSet<byte[]> set = new TreeSet<>(Bytes.KEY_ORDER);
      while (set.size() < size) {
        byte[] k = new byte[9];
        k[0] = (byte) random.nextInt(4); // few distinct prefixes
        k[8] = (byte) random.nextInt(256);
        set.add(k);
      }
      byte[][] keys = sorted(set);
      byte[][] probes = new byte[64][];
      for (int i = 0; i < probes.length; i++) {
        probes[i] = new byte[] {(byte) random.nextInt(5), 0, 0, 0, 0, 0, 0, 0, (byte) random.nextInt(256)};
      }
      assertFindAgrees(keys, probes);
      assertFindAgrees(keys, keys);
    }
  }

  @Test
  void entriesKeepTheirKeysAndVersionsAcrossChunks_whenBuiltAndWhenMerged() {
    // Runs of several chunks, whose sizes are not multiples of a chunk, merged with new and
    // overwriting keys on both sides of chunk boundaries.
    Random random = new Random(5);
    int size = 3 * SortedRun.CHUNK + 123;
    TreeSet<byte[]> set = new TreeSet<>(Bytes.KEY_ORDER);
    while (set.size() < size) {
      byte[] k = new byte[16];
      random.nextBytes(k);
      set.add(k);
    }
    byte[][] keys = sorted(set);
    Version[] versions = new Version[size];
    for (int i = 0; i < size; i++) {
      versions[i] = Version.inMemory(i + 1, new byte[] {(byte) i}, 0, 1, null);
    }
    SortedRun run = new SortedRun(keys, versions, size);
    assertEquals(size, run.size());
    for (int i = 0; i < size; i++) {
      assertArrayEquals(keys[i], run.key(i), "key " + i);
      PackedVersionsTest.assertSameVersion(versions[i], run.version(i), "version " + i);
      assertEquals(i, run.find(keys[i]));
    }
    run.setVersion(SortedRun.CHUNK, versions[0]);
    PackedVersionsTest.assertSameVersion(versions[0], run.get(keys[SortedRun.CHUNK]), "set version");
    run.setVersion(SortedRun.CHUNK, versions[SortedRun.CHUNK]);

    MemTable newer = new MemTable();
    TreeMap<byte[], Version> expected = new TreeMap<>(Bytes.KEY_ORDER);
    for (int i = 0; i < size; i++) {
      expected.put(keys[i], versions[i]);
    }
    for (int boundary = SortedRun.CHUNK; boundary < size; boundary += SortedRun.CHUNK) {
      for (int i = boundary - 3; i <= boundary + 3; i++) { // overwrites around the boundary
        Version v = Version.inMemory(size + i, new byte[] {1}, 0, 1, null);
        newer.put(keys[i], v);
        expected.put(keys[i], v);
      }
    }
    for (int i = 0; i < 2 * SortedRun.CHUNK; i++) { // new keys, enough to add a chunk
      byte[] k = new byte[16];
      random.nextBytes(k);
      if (!expected.containsKey(k)) {
        Version v = Version.inMemory(2L * size + i, new byte[] {2}, 0, 1, null);
        newer.put(k, v);
        expected.put(k, v);
      }
    }
    SortedRun merged = run.mergeUnder(newer, new ArrayList<>());
    assertEquals(expected.size(), merged.size());
    int i = 0;
    for (Map.Entry<byte[], Version> e : expected.entrySet()) {
      assertArrayEquals(e.getKey(), merged.key(i), "merged key " + i);
      PackedVersionsTest.assertSameVersion(e.getValue(), merged.version(i), "merged version " + i);
      assertEquals(i, merged.find(e.getKey()));
      i++;
    }
  }

  @Test
  void mergeUnder_agreesWithAMap_whenKeysShareTheirPrefixesAndDifferInLength() {
    // Keys from a small alphabet, 1 to 12 bytes long: many share their eight-byte prefix, and short
    // ones have the zero-padded prefix of longer ones, so a merge must compare whole keys there.
    Random random = new Random(11);
    for (int round = 0; round < 20; round++) {
      TreeMap<byte[], Version> expected = new TreeMap<>(Bytes.KEY_ORDER);
      while (expected.size() < 2_000) {
        expected.put(alphabetKey(random), Version.inMemory(expected.size() + 1, new byte[] {0}, 0, 1, null));
      }
      byte[][] keys = expected.keySet().toArray(new byte[0][]);
      SortedRun run = new SortedRun(keys, expected.values().toArray(new Version[0]), keys.length);
      MemTable newer = new MemTable();
      TreeSet<byte[]> overwritten = new TreeSet<>(Bytes.KEY_ORDER);
      int writes = 1 + random.nextInt(round < 10 ? 50 : 1_500);
      for (int w = 0; w < writes; w++) {
        byte[] k = random.nextBoolean() ? keys[random.nextInt(keys.length)] : alphabetKey(random);
        Version v = Version.inMemory(10_000 + w, new byte[] {1}, 0, 1, null);
        v.uncountedBelow = true;
        if (run.find(k) >= 0) {
          overwritten.add(k);
        }
        newer.put(k, v);
        expected.put(k, v);
      }
      ArrayList<SortedRun.Shadowed> shadowed = new ArrayList<>();
      SortedRun merged = run.mergeUnder(newer, shadowed);
      assertEquals(expected.size(), merged.size(), "round " + round);
      int i = 0;
      for (Map.Entry<byte[], Version> e : expected.entrySet()) {
        assertArrayEquals(e.getKey(), merged.key(i), "round " + round + ", merged key " + i);
        PackedVersionsTest.assertSameVersion(e.getValue(), merged.version(i), "round " + round + ", merged version " + i);
        i++;
      }
      TreeSet<byte[]> shadowedKeys = new TreeSet<>(Bytes.KEY_ORDER);
      for (SortedRun.Shadowed s : shadowed) {
        shadowedKeys.add(s.key());
      }
      assertEquals(overwritten.size(), shadowed.size(), "round " + round + ": one shadowed entry per overwritten key");
      assertEquals(overwritten, shadowedKeys, "round " + round);
    }
  }

  @Test
  void overwriteUnder_writesInPlaceOnlyWhenEveryKeyIsAnOverwriteOfALiveEntry() {
    Random random = new Random(12);
    TreeMap<byte[], Version> base = new TreeMap<>(Bytes.KEY_ORDER);
    while (base.size() < 3_000) {
      base.put(alphabetKey(random), Version.inMemory(base.size() + 1, new byte[] {0}, 0, 1, null));
    }
    byte[][] keys = base.keySet().toArray(new byte[0][]);
    Version[] versions = base.values().toArray(new Version[0]);
    int tombstoneAt = 1_234;
    versions[tombstoneAt] = Version.tombstone(5_000, Version.inMemory(4_000, new byte[] {0}, 0, 1, null));
    SortedRun run = new SortedRun(keys, versions, keys.length);

    // Overwrites of live entries only: written in place, each flagged one reported with what it hid.
    MemTable overwrites = new MemTable();
    TreeMap<byte[], Version> expected = new TreeMap<>(Bytes.KEY_ORDER);
    for (int i = 0; i < keys.length; i++) {
      expected.put(keys[i], versions[i]);
    }
    TreeMap<byte[], Version> hidden = new TreeMap<>(Bytes.KEY_ORDER);
    for (int w = 0; w < 500; w++) {
      int i = random.nextInt(keys.length);
      if (i == tombstoneAt) {
        continue;
      }
      Version v = Version.inMemory(10_000 + w, new byte[] {1}, 0, 1, null);
      v.uncountedBelow = w % 2 == 0;
      overwrites.put(keys[i], v);
      expected.put(keys[i], v);
      if (v.uncountedBelow) {
        hidden.put(keys[i], versions[i]);
      } else {
        hidden.remove(keys[i]);
      }
    }
    ArrayList<SortedRun.Shadowed> shadowed = new ArrayList<>();
    assertTrue(run.overwriteUnder(overwrites, shadowed));
    assertRunHolds(run, expected);
    assertEquals(hidden.size(), shadowed.size(), "one shadowed entry per flagged overwrite");
    for (SortedRun.Shadowed s : shadowed) {
      PackedVersionsTest.assertSameVersion(hidden.get(s.key()), s.older(), "what the overwrite hid");
      assertSame(overwrites.get(s.key()), s.newer());
    }

    // A new key, a delete, or an overwrite of a tombstone: nothing written, though overwrites of
    // live entries come before it in key order.
    byte[] beyond = Arrays.copyOf(keys[keys.length - 1], keys[keys.length - 1].length + 1);
    byte[][] refused = {beyond, keys[tombstoneAt], keys[2_000]};
    for (int r = 0; r < refused.length; r++) {
      MemTable newer = new MemTable();
      for (int i = 0; i < 100; i++) {
        newer.put(keys[i], Version.inMemory(20_000 + i, new byte[] {2}, 0, 1, null));
      }
      newer.put(refused[r], r == 2 ? Version.tombstone(30_000, null) : Version.inMemory(30_000, new byte[] {2}, 0, 1, null));
      ArrayList<SortedRun.Shadowed> none = new ArrayList<>();
      assertFalse(run.overwriteUnder(newer, none), "case " + r);
      assertTrue(none.isEmpty(), "case " + r);
      assertRunHolds(run, expected);
    }
  }

  private static void assertRunHolds(SortedRun run, TreeMap<byte[], Version> expected) {
    assertEquals(expected.size(), run.size());
    int i = 0;
    for (Map.Entry<byte[], Version> e : expected.entrySet()) {
      assertArrayEquals(e.getKey(), run.key(i));
      PackedVersionsTest.assertSameVersion(e.getValue(), run.version(i), "entry " + i);
      i++;
    }
  }

  /** 1 to 12 bytes from {a, b, c}, most of them 8 or longer and starting alike. */
  private static byte[] alphabetKey(Random random) {
    int length = random.nextInt(4) == 0 ? 1 + random.nextInt(8) : 8 + random.nextInt(5);
    byte[] k = new byte[length];
    for (int j = 0; j < length; j++) {
      k[j] = (byte) (j < 5 ? 'a' : 'a' + random.nextInt(3));
    }
    return k;
  }
}
