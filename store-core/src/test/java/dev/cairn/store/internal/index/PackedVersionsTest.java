package dev.cairn.store.internal.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.internal.fuzz.MemoryVfs;
import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.segment.SegmentWriter;
import dev.cairn.store.internal.util.Bytes;
import dev.cairn.store.internal.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The base run keeps versions without history (stored or in memory) packed in arrays: what it hands
 * back for them has the location it was given, a move rewrites it as one, and a merge packs and
 * keeps what it should.
 */
class PackedVersionsTest {
  private final MemoryVfs vfs = new MemoryVfs();
  private final Segment first = segment(1);
  private final Segment second = segment(2);

  private Segment segment(long number) {
    Path path = Path.of("/packed/" + number + ".seg");
    try {
      SegmentWriter writer = new SegmentWriter(vfs, path, SegmentFormat.CODEC_NONE, 1024);
      writer.add(1, new byte[] {1});
      writer.finish();
      return Segment.open(vfs, path, number, vfs.size(path));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @AfterEach
  void release() {
    first.release();
    second.release();
  }

  private static byte[][] keys(int n) {
    byte[][] keys = new byte[n][];
    for (int i = 0; i < n; i++) {
      keys[i] = new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
    }
    return keys;
  }

  /** Asserts that {@code actual} is the same write at the same location as {@code expected}, if not the same object. */
  static void assertSameVersion(Version expected, Version actual, String what) {
    assertEquals(expected.sequence, actual.sequence, what + ": sequence");
    assertSame(expected.segment, actual.segment, what + ": segment");
    assertSame(expected.value, actual.value, what + ": value");
    assertEquals(expected.blockOffset, actual.blockOffset, what + ": block offset");
    assertEquals(expected.recordOffset, actual.recordOffset, what + ": record offset");
    assertEquals(expected.valueLength, actual.valueLength, what + ": value length");
    assertSame(expected.prev, actual.prev, what + ": prev");
  }

  /** Whether entry {@code i} is packed: a packed entry builds a new version on every read. */
  private static boolean packed(SortedRun run, int i) {
    return run.version(i) != run.version(i);
  }

  @Test
  void versionsWithoutHistoryArePacked_storedOrInMemory_andReadBackWithTheirLocations() {
    Version older = Version.stored(1, first, 7, 3, 5, null);
    byte[] arena = new byte[1 << 20];
    Version[] versions = {
        Version.stored(10, first, Integer.MAX_VALUE, 0, 100, null),
        Version.stored(11, second, 0, Integer.MAX_VALUE, Integer.MAX_VALUE, null),
        Version.inMemory(12, new byte[] {1, 2, 3}, 1, 2, null),
        Version.inMemory(13, arena, arena.length - 100, 100, null),
        Version.inMemory(14, arena, 0, 0, null), // an empty value is a value, not a tombstone
        Version.stored(15, second, 4096, 77, 0, older), // history: stays an object
        Version.inMemory(16, arena, 5, 1, older), // history: stays an object
        Version.tombstone(17, older),
    };
    SortedRun run = new SortedRun(keys(versions.length), versions, versions.length);
    for (int i = 0; i < versions.length; i++) {
      assertSameVersion(versions[i], run.version(i), "entry " + i);
      assertEquals(i < 5, packed(run, i), "entry " + i + " packed");
    }
    assertTrue(run.version(4).isInMemory(), "entry 4 reads back as an empty value");
  }

  @Test
  void aPackedEntryHoldsAnyVersionOfTheSameLocation_andOnlyThat() {
    Version v = Version.stored(10, first, 4096, 12, 100, null);
    SortedRun run = new SortedRun(keys(1), new Version[] {v}, 1);
    assertTrue(run.holds(0, Version.stored(10, first, 4096, 12, 100, null)));
    assertFalse(run.holds(0, Version.stored(10, second, 4096, 12, 100, null)), "other segment");
    assertFalse(run.holds(0, Version.stored(10, first, 4097, 12, 100, null)), "other block");
    assertFalse(run.holds(0, Version.stored(10, first, 4096, 13, 100, null)), "other record");
    assertFalse(run.holds(0, Version.stored(9, first, 4096, 12, 100, null)), "other write");

    byte[] arena = {0, 1, 2, 3};
    Version inMemory = Version.inMemory(11, arena, 2, 1, null);
    run.setVersion(0, inMemory);
    assertTrue(packed(run, 0));
    assertTrue(run.holds(0, Version.inMemory(11, arena, 2, 1, null)));
    assertFalse(run.holds(0, Version.inMemory(11, new byte[] {0, 1, 2, 3}, 2, 1, null)), "other buffer");
    assertFalse(run.holds(0, Version.inMemory(11, arena, 3, 1, null)), "other offset");
    assertFalse(run.holds(0, Version.inMemory(10, arena, 2, 1, null)), "other write");
    assertFalse(run.holds(0, Version.stored(11, first, 0, 2, 1, null)), "stored, not in memory");

    Version withHistory = Version.inMemory(11, arena, 2, 1, Version.stored(9, first, 0, 0, 1, null));
    run.setVersion(0, withHistory);
    assertTrue(run.holds(0, withHistory));
    assertFalse(run.holds(0, Version.inMemory(11, arena, 2, 1, withHistory.prev)), "objects compare by identity");
    Version moved = Version.stored(11, second, 8192, 4, 1, null);
    run.setVersion(0, moved);
    assertTrue(packed(run, 0));
    assertSameVersion(moved, run.version(0), "moved");
  }

  @Test
  void aMergeKeepsPackedEntriesPacked_andVersionsWithHistoryObjects() {
    int n = 3 * SortedRun.CHUNK + 5;
    byte[][] keys = keys(2 * n);
    byte[][] baseKeys = new byte[n][];
    Version[] baseVersions = new Version[n];
    for (int i = 0; i < n; i++) {
      baseKeys[i] = keys[2 * i];
      baseVersions[i] = i % 3 == 0
          ? Version.inMemory(i + 1, new byte[] {(byte) i}, 0, 1, null)
          : Version.stored(i + 1, i % 2 == 0 ? first : second, i, i % 1000, i % 100, null);
    }
    SortedRun run = new SortedRun(baseKeys, baseVersions, n);
    // Flush moves the in-memory ones, with and without history: a move packs what it can.
    Version older = Version.stored(0, first, 1, 1, 1, null);
    for (int i = 0; i < n; i += 3) {
      baseVersions[i] = Version.stored(i + 1, second, 2L * i, 7, 1, i % 2 == 0 ? null : older);
      run.setVersion(i, baseVersions[i]);
    }
    MemTable newer = new MemTable();
    for (int i = 0; i < n; i += 1000) {
      newer.put(keys[2 * i + 1], Version.inMemory(n + i, new byte[] {2}, 0, 1, null));
    }
    SortedRun merged = run.mergeUnder(newer, new ArrayList<>());
    assertEquals(n + newer.size(), merged.size());
    for (int i = 0, m = 0; i < n; i++, m++) {
      assertEquals(m, merged.find(baseKeys[i]));
      assertSameVersion(baseVersions[i], merged.version(m), "entry " + i);
      boolean history = baseVersions[i].prev != null;
      assertEquals(!history, packed(merged, m), "entry " + i + " packed");
      if (i % 1000 == 0) {
        m++;
        assertSameVersion(newer.get(keys[2 * i + 1]), merged.version(m), "new key after entry " + i);
        assertTrue(packed(merged, m), "new key after entry " + i + " packed");
      }
    }
  }

  @Test
  void aMergeDropsATombstoneNoSnapshotNeeds_andCopiesPackedEntriesBesideOneItKeeps() {
    byte[][] keys = keys(4);
    Version older = Version.stored(1, first, 0, 0, 1, null);
    Version kept = Version.tombstone(3, older); // a snapshot still reads what it hides
    Version packed = Version.stored(2, second, 4096, 9, 1, null);
    SortedRun run = new SortedRun(keys, new Version[] {Version.stored(1, first, 0, 0, 1, null), kept, packed}, 3);
    MemTable newer = new MemTable();
    newer.put(keys[0], Version.tombstone(4, null));
    newer.put(keys[3], Version.stored(5, first, 8192, 1, 1, null));
    SortedRun merged = run.mergeUnder(newer, new ArrayList<>());
    assertEquals(3, merged.size());
    assertEquals(-1, merged.find(keys[0]));
    assertSame(kept, merged.version(0));
    assertSameVersion(packed, merged.version(1), "packed beside the tombstone");
    assertTrue(packed(merged, 1));
    assertSameVersion(newer.get(keys[3]), merged.version(2), "stored version from the map");
    assertTrue(packed(merged, 2));
  }

  /**
   * Writes {@code key} at sequences 1 and 2 with a snapshot open between the two, so that the
   * second keeps the first as history, and merges both into the base; returns the snapshot.
   */
  private static KeyIndex.Registration writeTwiceAcrossASnapshot(KeyIndex index, byte[] key) {
    WalRecord first = WalRecord.encodeSingle(key, new byte[] {1});
    first.seal(1);
    index.apply(List.of(first));
    KeyIndex.Registration snapshot = index.registerSnapshot();
    WalRecord second = WalRecord.encodeSingle(key, new byte[] {2});
    second.seal(2);
    index.apply(List.of(second));
    index.merge();
    return snapshot;
  }

  @Test
  void aBaseVersionIsPackedOnceTrimmingDropsItsHistory() {
    KeyIndex index = new KeyIndex();
    byte[] key = {7};
    KeyIndex.Registration snapshot = writeTwiceAcrossASnapshot(index, key);
    Version inMemory = index.head(key);
    Version stored = Version.stored(2, this.first, 64, 3, 1, inMemory.prev);
    assertEquals(1, index.replaceHeads(List.of(new KeyIndex.Replacement(key, inMemory, stored))));
    assertSame(stored, index.head(key), "with history, the base keeps the object");
    assertPackedOnceTrimmed(index, key, snapshot, Version.stored(2, this.first, 64, 3, 1, null));
  }

  @Test
  void aBaseVersionStillInMemoryIsPackedOnceTrimmingDropsItsHistory() {
    KeyIndex index = new KeyIndex();
    byte[] key = {7};
    KeyIndex.Registration snapshot = writeTwiceAcrossASnapshot(index, key);
    Version inMemory = index.head(key);
    assertTrue(inMemory.isInMemory());
    assertEquals(1, inMemory.prev.sequence, "the first write kept as history");
    assertSame(inMemory, index.head(key), "with history, the base keeps the object");
    assertPackedOnceTrimmed(index, key, snapshot, Version.inMemory(2, inMemory.value, inMemory.recordOffset, 1, null));
  }

  /** Closes {@code snapshot}, trims history, and asserts that the base now packs {@code expected} for {@code key}. */
  private static void assertPackedOnceTrimmed(KeyIndex index, byte[] key, KeyIndex.Registration snapshot, Version expected) {
    index.unregisterSnapshot(snapshot);
    index.trimHistory();
    Version head = index.head(key);
    assertNotSame(head, index.head(key), "packed: a new version per read");
    assertSameVersion(expected, head, "packed head");
  }

  @Test
  void readersNeverSeeHalfOfAMove() throws InterruptedException {
    // Entries move back and forth between two locations in different segments; every read must
    // return one of the two whole.
    int n = 64;
    Version[] atFirst = new Version[n];
    Version[] atSecond = new Version[n];
    for (int i = 0; i < n; i++) {
      atFirst[i] = Version.stored(i + 1, first, 1000 + i, 10 + i, 50, null);
      atSecond[i] = Version.stored(i + 1, second, 5000 + i, 90 + i, 50, null);
    }
    SortedRun run = new SortedRun(keys(n), atFirst.clone(), n);
    AtomicReference<String> torn = new AtomicReference<>();
    long end = System.nanoTime() + 1_000_000_000L;
    Thread reader = new Thread(() -> {
      long reads = 0;
      while (System.nanoTime() < end && torn.get() == null) {
        for (int i = 0; i < n; i++) {
          Version v = run.version(i);
          boolean whole = v.segment == first
              ? v.blockOffset == atFirst[i].blockOffset && v.recordOffset == atFirst[i].recordOffset
              : v.blockOffset == atSecond[i].blockOffset && v.recordOffset == atSecond[i].recordOffset;
          if (!whole) {
            torn.set("entry " + i + " read as " + v.segment.path() + " at " + v.blockOffset + "/" + v.recordOffset
                + " after " + reads + " reads");
          }
          reads++;
        }
      }
    });
    reader.start();
    long moves = 0;
    while (reader.isAlive()) {
      for (int i = 0; i < n; i++) {
        run.setVersion(i, (moves & 1) == 0 ? atSecond[i] : atFirst[i]);
      }
      moves++;
    }
    reader.join();
    assertNull(torn.get());
    assertTrue(moves > 1000, "moves made: " + moves);
  }

  @Test
  void movesKeepReadersSeeingWholeHeadsAndNeverUndoACommitMadeBetweenTheirChunks() throws InterruptedException {
    // The maintenance thread moves every key's first write back and forth between two segments
    // while a writer overwrites every fourth key and a reader reads heads. A read returns the
    // first write (whole, at either location) or a later commit, and never goes back from a
    // commit to the first write: a move of a key the writer changed meanwhile is refused.
    int n = 2_000;
    byte[][] keys = keys(n);
    KeyIndex index = new KeyIndex();
    for (int i = 0; i < n; i++) {
      WalRecord r = WalRecord.encodeSingle(keys[i], new byte[8]);
      r.seal(i + 1);
      index.apply(List.of(r));
    }
    index.merge();
    Version[] firstWrites = new Version[n];
    for (int i = 0; i < n; i++) {
      firstWrites[i] = index.head(keys[i]);
    }
    AtomicReference<String> wrong = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    long[] lastWrite = new long[n];
    Thread writer = new Thread(() -> {
      long sequence = n;
      while (!stop.get()) {
        for (int i = 0; i < n; i += 4) {
          byte[] value = new byte[8];
          Bytes.putLong(value, 0, ++sequence);
          WalRecord r = WalRecord.encodeSingle(keys[i], value);
          r.seal(sequence);
          index.apply(List.of(r));
          lastWrite[i] = sequence;
        }
      }
    });
    Thread reader = new Thread(() -> {
      Random random = new Random(5);
      long[] newest = new long[n];
      while (!stop.get() && wrong.get() == null) {
        int i = random.nextInt(n);
        Version v = index.head(keys[i]);
        String problem = v == null ? "vanished"
            : v.sequence < newest[i] ? "went back from " + newest[i] + " to " + v.sequence
            : v.sequence > n ? (v.segment == null && Bytes.getLong(v.copyOfValue(), 0) == v.sequence ? null : "a torn commit")
            : v.sequence != i + 1 ? "sequence " + v.sequence
            : v.segment == null || wholeAt(v, i, first) || wholeAt(v, i, second) ? null
            : "torn location " + v.blockOffset + "/" + v.recordOffset;
        if (problem != null) {
          wrong.set("key " + i + ": " + problem);
        }
        newest[i] = v == null ? newest[i] : v.sequence;
      }
    });
    writer.start();
    reader.start();
    int rounds = 100;
    int moved = 0;
    try {
      for (int round = 0; round < rounds && wrong.get() == null; round++) {
        if (round == rounds - 1) { // the last round once the writer is done
          stop.set(true);
          writer.join();
        }
        List<KeyIndex.Replacement> moves = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          Version from = round == 0 ? firstWrites[i] : storedAt(i, (round & 1) == 0 ? second : first);
          moves.add(new KeyIndex.Replacement(keys[i], from, storedAt(i, (round & 1) == 0 ? first : second)));
        }
        moved += index.replaceHeads(moves);
      }
    } finally {
      stop.set(true);
      writer.join();
      reader.join();
    }
    assertNull(wrong.get());
    assertTrue(lastWrite[0] > n, "the writer committed");
    int untouched = n - (n + 3) / 4;
    // Keys the writer overwrites move too until it first reaches them; the others move every round.
    assertTrue(moved >= rounds * untouched, "heads moved: " + moved);
    for (int i = 0; i < n; i++) {
      Version head = index.head(keys[i]);
      assertEquals(i % 4 == 0 ? lastWrite[i] : i + 1, head.sequence, "key " + i);
    }
  }

  private static Version storedAt(int i, Segment segment) {
    return Version.stored(i + 1, segment, (segment.fileNumber() << 20) + 16L * i, i, 8, null);
  }

  private static boolean wholeAt(Version v, int i, Segment segment) {
    Version expected = storedAt(i, segment);
    return v.segment == segment && v.blockOffset == expected.blockOffset && v.recordOffset == expected.recordOffset
        && v.valueLength == 8;
  }
}
