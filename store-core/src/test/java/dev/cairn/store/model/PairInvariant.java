package dev.cairn.store.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Snapshot;
import dev.cairn.store.Store;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What the concurrent writers of {@link ConcurrentModelTest} commit besides their random steps,
 * and the reader's check that a scan or snapshot shows one point in time.
 *
 * <p>Writer {@code w} owns the keys starting with {@code PREFIXES[w]}. Its random steps use keys
 * under {@code [prefix, 0x01]}. Its pair batches write, in one batch, both halves of one pair
 * {@code [prefix, 0x02, pair, half]} (the same value, starting with the batch's epoch number, or a
 * delete of both) and its epoch key {@code [prefix, 0x03]} (the epoch number, counting up). So in
 * any point-in-time view both halves of a pair are equal or both absent, no pair is newer than its
 * writer's epoch, and a writer's epoch never goes back from one view to the next.
 *
 * <p>Not thread-safe: the reader side belongs to one thread.
 */
final class PairInvariant {
  static final int WRITERS = 4;
  static final byte[] PREFIXES = {0x00, 0x7F, (byte) 0x80, (byte) 0xFF};
  static final byte RANDOM_KEYS = 0x01;
  private static final byte PAIRS = 0x02;
  private static final byte EPOCH = 0x03;
  private static final int PAIRS_PER_WRITER = 8;

  private final String label;
  private final Store store;
  private final Random random = new Random();
  private final long[] lastEpoch = new long[WRITERS];
  private long lastSnapshotSequence;
  private int views;

  PairInvariant(String label, Store store) {
    this.label = label;
    this.store = store;
  }

  // ---------------------------------------------------------------- writer side

  /** The batch of epoch {@code epoch} of {@code writer}: one pair set (or deleted) and the epoch key. */
  static Op.Batch pairBatch(int writer, Random random, long epoch) {
    int pair = random.nextInt(PAIRS_PER_WRITER);
    byte[] value = null;
    if (random.nextInt(10) != 0) {
      value = new byte[8 + random.nextInt(600)];
      random.nextBytes(value);
      ByteBuffer.wrap(value).putLong(epoch);
    }
    List<ReferenceModel.Write> writes = List.of(
        new ReferenceModel.Write(pairKey(writer, pair, 0), value),
        new ReferenceModel.Write(pairKey(writer, pair, 1), value),
        new ReferenceModel.Write(new byte[] {PREFIXES[writer], EPOCH}, ByteBuffer.allocate(8).putLong(epoch).array()));
    return new Op.Batch(writes, random.nextInt(4) == 0);
  }

  private static byte[] pairKey(int writer, int pair, int half) {
    return new byte[] {PREFIXES[writer], PAIRS, (byte) pair, (byte) half};
  }

  // ---------------------------------------------------------------- reader side

  /** Opens one view (a scan, or a snapshot and its scan and point reads) and checks it. */
  void checkOneView() {
    views++;
    if (views % 2 == 0) {
      List<Entry> entries = new ArrayList<>();
      try (Cursor cursor = store.scan(KeyRange.all())) {
        cursor.forEachRemaining(entries::add);
      }
      long last = store.lastSequence();
      for (Entry e : entries) {
        assertTrue(e.sequence() >= 1 && e.sequence() <= last,
            () -> label + " view#" + views + ": scan entry " + e + " beyond lastSequence() " + last);
      }
      check(entries, "scan");
      return;
    }
    try (Snapshot snapshot = store.snapshot()) {
      long sequence = snapshot.sequence();
      assertTrue(sequence >= lastSnapshotSequence,
          () -> label + " view#" + views + ": snapshot sequence " + sequence + " before " + lastSnapshotSequence);
      lastSnapshotSequence = sequence;
      List<Entry> entries = new ArrayList<>();
      try (Cursor cursor = snapshot.scan(KeyRange.all())) {
        cursor.forEachRemaining(entries::add);
      }
      for (Entry e : entries) {
        assertTrue(e.sequence() >= 1 && e.sequence() <= sequence,
            () -> label + " view#" + views + ": snapshot entry " + e + " beyond the snapshot's sequence " + sequence);
      }
      byte[][][] pairs = check(entries, "snapshot at " + sequence);
      int writer = random.nextInt(WRITERS);
      for (int pair = 0; pair < PAIRS_PER_WRITER; pair++) {
        for (int half = 0; half < 2; half++) {
          byte[] key = pairKey(writer, pair, half);
          byte[] got = snapshot.get(key);
          if (!Arrays.equals(pairs[writer * PAIRS_PER_WRITER + pair][half], got)) {
            fail(label + " view#" + views + ": snapshot at " + sequence + " get " + ModelBytes.hex(key) + " = "
                + ModelBytes.describe(got) + " but its scan showed "
                + ModelBytes.describe(pairs[writer * PAIRS_PER_WRITER + pair][half]));
          }
        }
      }
    }
  }

  /** Checks the pairs and epochs in {@code entries}; returns the pairs, indexed by writer and pair. */
  private byte[][][] check(List<Entry> entries, String what) {
    byte[][][] pairs = new byte[WRITERS * PAIRS_PER_WRITER][2][];
    long[] epochs = new long[WRITERS];
    for (Entry e : entries) {
      byte[] key = e.key();
      int writer = writerOf(key[0]);
      if (key.length == 4 && key[1] == PAIRS) {
        pairs[writer * PAIRS_PER_WRITER + key[2]][key[3]] = e.value();
      } else if (key.length == 2 && key[1] == EPOCH) {
        epochs[writer] = ByteBuffer.wrap(e.value()).getLong();
      }
    }
    String where = label + " view#" + views + " (" + what + ")";
    for (int w = 0; w < WRITERS; w++) {
      for (int pair = 0; pair < PAIRS_PER_WRITER; pair++) {
        byte[][] halves = pairs[w * PAIRS_PER_WRITER + pair];
        String name = "writer " + w + " pair " + pair;
        if (!Arrays.equals(halves[0], halves[1])) {
          fail(where + ": " + name + " half written: " + ModelBytes.describe(halves[0]) + " vs "
              + ModelBytes.describe(halves[1]));
        }
        if (halves[0] != null) {
          long epoch = ByteBuffer.wrap(halves[0]).getLong();
          int writer = w;
          assertTrue(epoch <= epochs[w], () -> where + ": " + name + " at epoch " + epoch + " but the epoch key of writer "
              + writer + " is " + epochs[writer]);
        }
      }
      int writer = w;
      assertTrue(epochs[w] >= lastEpoch[w], () -> where + ": epoch of writer " + writer + " went back from "
          + lastEpoch[writer] + " to " + epochs[writer]);
      lastEpoch[w] = epochs[w];
    }
    return pairs;
  }

  private int writerOf(byte prefix) {
    for (int w = 0; w < WRITERS; w++) {
      if (PREFIXES[w] == prefix) {
        return w;
      }
    }
    throw new AssertionError(label + " view#" + views + ": key outside every writer's prefix: 0x" + Integer.toHexString(prefix & 0xFF));
  }
}
