package dev.cairn.store.recovery;

import static dev.cairn.store.testing.Op.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.CorruptionException;
import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.engine.StoreEngine;
import dev.cairn.store.testing.Op;
import dev.cairn.store.recovery.FileLayout.Block;
import dev.cairn.store.recovery.FileLayout.WalSpan;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to every file kind that {@link CorruptionSweepTest} does not flip, and truncation of
 * every file kind, at many offsets. The store under test is a crash image holding every kind of
 * file at once: two WAL files of change history (below the checkpoint's replay start), an older
 * WAL that recovery must still replay (its flush was held back when the image was taken), the
 * newest WAL, segments and a checkpoint.
 *
 * <p>Each trial damages one file of a copy (a flipped byte, or the file cut short), opens it,
 * reads every key point by point and with a scan, and, when the change history is damaged, reads
 * the whole change feed from the start. Every outcome must be the right data or a {@link
 * CorruptionException} naming the damaged file and an offset inside it; never a wrong value,
 * never another exception, never a hang. One exception, documented in docs/FORMAT.md: damage to
 * the last record of the newest WAL is indistinguishable from a torn tail, and open drops that
 * record. Damage anywhere else in a WAL that recovery replays is corruption: it must never drop
 * acknowledged commits silently.
 *
 * <p>{@code -Dcairn.sweep.density=K} multiplies the number of offsets per file (default 1).
 */
class FileDamageSweepTest {
  private static final int DENSITY = Integer.getInteger("cairn.sweep.density", 1);
  private static final Duration TRIAL_BOUND = Duration.ofSeconds(30);
  private static final StoreOptions OPTIONS = StoreOptions.builder().walRotateBytes(64 * 1024)
      .backgroundCompaction(false).changeRetention(Long.MAX_VALUE, null).build();

  @TempDir static Path tmp;

  private static Path image;
  private static CommitModel model;
  private static List<Path> historyWals;
  private static Path replayedWal;
  private static Path newestWal;
  private static int trials;

  /** How a damaged copy behaved. */
  enum Result {
    DETECTED,
    HARMLESS,
    TORN_TAIL
  }

  @BeforeAll
  static void writeCrashImageWithEveryFileKind() {
    Path dir = tmp.resolve("store");
    model = new CommitModel();
    Random random = new Random(42);
    // Two sessions, each rotating the WAL once: two segments, which one flush can never join.
    for (int session = 0; session < 2; session++) {
      try (Store store = Store.open(dir, OPTIONS)) {
        writeCommits(store, random, session * 350, 350);
      }
    }
    FlushGateVfs gate = new FlushGateVfs();
    try (Store store = StoreEngine.open(dir, OPTIONS, gate)) {
      try {
        writeCommits(store, random, 700, 300);
        store.flush();
        image = StoreDirs.copy(dir, tmp.resolve("image"));
      } finally {
        gate.open();
      }
    }
    Path checkpoint = StoreDirs.only(image, StoreDirs.CHECKPOINT);
    long walStart = ByteBuffer.wrap(StoreDirs.read(checkpoint)).getLong(32);
    List<Path> wals = StoreDirs.files(image, StoreDirs.WAL);
    historyWals = new ArrayList<>();
    List<Path> replayed = new ArrayList<>();
    for (Path wal : wals) {
      long number = Long.parseLong(wal.getFileName().toString().substring(0, 20));
      (number < walStart ? historyWals : replayed).add(wal);
    }
    assertTrue(historyWals.size() >= 2, "change history WALs: " + historyWals);
    assertTrue(replayed.size() >= 2, "an older WAL to replay and the newest: " + replayed);
    replayedWal = replayed.get(0);
    newestWal = replayed.get(replayed.size() - 1);
    assertTrue(StoreDirs.files(image, StoreDirs.SEGMENT).size() >= 2, "segments");
    assertTrue(FileLayout.walRecords(StoreDirs.read(newestWal)).size() > 10, "the newest WAL holds records");
    try (Store store = Store.open(StoreDirs.copy(image, tmp.resolve("intact")), OPTIONS)) {
      assertEquals(Result.HARMLESS, readEverything(store, null, "intact image"), "the intact image reads right");
    }
  }

  @AfterAll
  static void printSummary() {
    CorruptionTally.report();
  }

  // ---------------------------------------------------------------- WAL flips

  @Test
  void flippedByteInAReplayedWal_isCorruptionAtOpen_exceptInTheNewestWalsLastRecord() {
    WalSpan last = lastRecord(newestWal);
    SortedMap<String, byte[]> torn = model.stateAt(secondLastSequence(newestWal));
    for (Path wal : List.of(replayedWal, newestWal)) {
      for (long offset : walOffsets(wal, 40 * DENSITY, new Random(wal.hashCode()))) {
        boolean inTail = wal.equals(newestWal) && offset >= last.offset();
        Result result = trial("replayed WAL flips", wal, "byte " + offset + " flipped", true,
            f -> StoreDirs.flipByte(f, offset), inTail ? torn : null, false);
        if (!inTail) {
          assertEquals(Result.DETECTED, result, wal.getFileName() + " byte " + offset
              + ": damage before the newest WAL's last record is corruption, never dropped commits");
        }
      }
    }
  }

  /**
   * The first record of a newest WAL that follows other WALs (or a checkpoint) carries a sequence
   * far above 0. Recovery once searched for a valid record after a damaged first record only up to
   * sequences near 0, found none, and dropped the whole WAL as a torn tail.
   */
  @Test
  void damagedFirstRecordOfTheNewestWal_isCorruption_notATornTailOfTheWholeFile() {
    WalSpan first = FileLayout.walRecords(StoreDirs.read(newestWal)).get(0);
    Result result = trial("replayed WAL flips", newestWal, "first record's payload flipped", true,
        f -> StoreDirs.flipByte(f, first.payloadOffset() + 20), null, false);
    assertEquals(Result.DETECTED, result, "a flip in the first of many records after earlier WALs");

    Path store = tmp.resolve("segmented");
    SegmentedStore.write(store);
    Path wal = StoreDirs.newest(store, StoreDirs.WAL);
    List<WalSpan> records = FileLayout.walRecords(StoreDirs.read(wal));
    assertTrue(records.get(0).sequence() > 1, "the newest WAL starts after the checkpoint");
    StoreDirs.flipByte(wal, records.get(0).payloadOffset() + 20);
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> Store.open(store, SegmentedStore.OPTIONS).close(), "the first replayed WAL, damaged in its first record");
    assertEquals(records.get(0).offset(), e.fileOffset(), "fileOffset() is the damaged record");
  }

  @Test
  void flippedByteInTheChangeHistory_isCorruptionForTheFeed_orHarmlessInTheHeader() {
    for (Path wal : historyWals) {
      for (long offset : walOffsets(wal, 30 * DENSITY, new Random(wal.hashCode()))) {
        Result result = trial("change history flips", wal, "byte " + offset + " flipped", true,
            f -> StoreDirs.flipByte(f, offset), null, true);
        if (offset >= 16) {
          assertEquals(Result.DETECTED, result, wal.getFileName() + " byte " + offset
              + ": every record of the history is read by the feed and checksummed");
        }
      }
    }
  }

  // ---------------------------------------------------------------- truncations

  @Test
  void truncatedReplayedOrHistoryWal_isCorruption() {
    for (Path wal : List.of(historyWals.get(0), historyWals.get(historyWals.size() - 1), replayedWal)) {
      boolean history = historyWals.contains(wal);
      for (long cut : walCuts(wal, 20 * DENSITY, new Random(wal.hashCode() + 1))) {
        Result result = trial(history ? "change history cuts" : "replayed WAL cuts", wal, "cut at " + cut, false,
            f -> StoreDirs.truncate(f, cut), null, history);
        assertEquals(Result.DETECTED, result, wal.getFileName() + " cut at " + cut
            + ": a WAL that is not the newest lost records, which must be reported");
      }
    }
  }

  @Test
  void truncatedSegmentOrCheckpoint_isCorruptionAtOpen() {
    List<Path> files = new ArrayList<>(StoreDirs.files(image, StoreDirs.SEGMENT));
    Path checkpoint = StoreDirs.only(image, StoreDirs.CHECKPOINT);
    files.add(checkpoint);
    for (Path file : files) {
      byte[] bytes = StoreDirs.read(file);
      FileLayout.Framed layout = file.equals(checkpoint) ? FileLayout.checkpoint(bytes) : FileLayout.segment(bytes);
      for (long cut : framedCuts(layout, 15 * DENSITY, new Random(file.hashCode()))) {
        Result result = trial(file.equals(checkpoint) ? "checkpoint cuts" : "segment cuts", file, "cut at " + cut,
            false, f -> StoreDirs.truncate(f, cut), null, false);
        assertEquals(Result.DETECTED, result, file.getFileName() + " cut at " + cut);
      }
    }
  }

  // ---------------------------------------------------------------- one trial

  /**
   * Damages {@code file} in a fresh copy of the image, opens the copy and reads everything (the
   * change feed too if {@code readFeed}). {@code torn}, if not null, is the state a dropped torn
   * tail leaves, accepted besides the full state.
   */
  private static Result trial(String sweep, Path file, String damage, boolean flip, Consumer<Path> action,
      SortedMap<String, byte[]> torn, boolean readFeed) {
    Path copy = StoreDirs.copy(image, tmp.resolve("trial-" + trials++));
    Path damaged = copy.resolve(file.getFileName().toString());
    long length = StoreDirs.read(damaged).length;
    action.accept(damaged);
    String context = file.getFileName() + " " + damage;
    Result result = assertTimeoutPreemptively(TRIAL_BOUND, () -> {
      Store store;
      try {
        store = Store.open(copy, OPTIONS);
      } catch (CorruptionException e) {
        assertNamesDamage(e, damaged, length, context + ", open");
        return Result.DETECTED;
      }
      try (store) {
        Result read = readEverything(store, torn, context);
        if (read == Result.HARMLESS && readFeed) {
          return readFeed(store, damaged, length, context);
        }
        return read;
      } catch (CorruptionException e) {
        assertNamesDamage(e, damaged, length, context + ", read");
        return Result.DETECTED;
      }
    }, context + ": open and read within " + TRIAL_BOUND.toSeconds() + " s");
    if (result == Result.TORN_TAIL) {
      CorruptionTally.tornTail(sweep, flip);
    } else {
      CorruptionTally.record(sweep, flip, result == Result.DETECTED);
    }
    StoreDirs.delete(copy);
    return result;
  }

  /**
   * Reads every key ever written and scans everything: HARMLESS if the store holds the model's
   * latest state, TORN_TAIL if it holds {@code torn}; a wrong value fails the test.
   */
  private static Result readEverything(Store store, SortedMap<String, byte[]> torn, String context) {
    SortedMap<String, byte[]> actual = new TreeMap<>();
    for (String key : model.everWritten()) {
      byte[] value = store.get(utf8(key));
      if (value != null) {
        actual.put(key, value);
      }
    }
    SortedMap<String, byte[]> scanned = new TreeMap<>();
    try (Cursor cursor = store.scan(KeyRange.all())) {
      while (cursor.hasNext()) {
        Entry e = cursor.next();
        scanned.put(e.keyString(), e.value());
      }
    }
    if (!Op.sameState(actual, scanned)) {
      wrong(context + ": gets and the scan disagree");
    }
    if (Op.sameState(model.latest(), actual)) {
      return Result.HARMLESS;
    }
    if (torn != null && Op.sameState(torn, actual)) {
      return Result.TORN_TAIL;
    }
    wrong(context + ": the store holds " + actual.size() + " keys, not the model's " + model.latest().size());
    return Result.HARMLESS;
  }

  /** Reads the whole change feed from the start: every commit's changes, in order, or CorruptionException. */
  private static Result readFeed(Store store, Path damaged, long length, String context) {
    List<Change> expected = expectedChanges();
    int i = 0;
    try (ChangeCursor cursor = store.changes(ChangeQuery.after(0))) {
      for (List<Change> batch = cursor.poll(Duration.ZERO); !batch.isEmpty(); batch = cursor.poll(Duration.ZERO)) {
        for (Change change : batch) {
          if (i >= expected.size() || !expected.get(i).equals(change)) {
            wrong(context + ": change " + i + " of the feed is " + change.sequence() + " " + change.kind() + " "
                + change.keyString() + ", not the commit model's");
            return Result.HARMLESS;
          }
          i++;
        }
      }
    } catch (CorruptionException e) {
      assertNamesDamage(e, damaged, length, context + ", change feed after change " + i);
      return Result.DETECTED;
    }
    if (i != expected.size()) {
      wrong(context + ": the change feed ended after " + i + " of " + expected.size() + " changes");
    }
    return Result.HARMLESS;
  }

  private static void wrong(String what) {
    CorruptionTally.wrongValue(what);
    throw new AssertionError("wrong value: " + what);
  }

  /** The exception names the damaged file (as file() or in its message) and an offset inside it. */
  private static void assertNamesDamage(CorruptionException e, Path damaged, long length, String context) {
    String name = damaged.getFileName().toString();
    boolean isFile = e.file() != null && e.file().toAbsolutePath().normalize().equals(damaged.toAbsolutePath().normalize());
    assertTrue(isFile && e.getMessage().contains(name),
        context + ": CorruptionException names the damaged file " + name + ": " + e.getMessage());
    assertTrue(e.fileOffset() >= 0 && e.fileOffset() <= length,
        context + ": fileOffset() " + e.fileOffset() + " lies within the file's " + length + " bytes");
  }

  // ---------------------------------------------------------------- offsets

  /** The 16 header bytes, a byte of each sampled record's header and payload, and the last record's. */
  private static TreeSet<Long> walOffsets(Path wal, int target, Random random) {
    List<WalSpan> records = FileLayout.walRecords(StoreDirs.read(wal));
    TreeSet<Long> offsets = new TreeSet<>();
    for (long i = 0; i < 16; i++) {
      offsets.add(i);
    }
    WalSpan last = records.get(records.size() - 1);
    offsets.add(last.offset() + random.nextInt(8));
    offsets.add(last.payloadOffset() + random.nextInt(last.payloadLength()));
    while (offsets.size() < target + 16) {
      WalSpan r = records.get(random.nextInt(records.size()));
      offsets.add(r.offset() + random.nextInt((int) (r.end() - r.offset())));
    }
    return offsets;
  }

  /** Cuts inside the header, at record boundaries and inside records (never at the full length). */
  private static TreeSet<Long> walCuts(Path wal, int target, Random random) {
    List<WalSpan> records = FileLayout.walRecords(StoreDirs.read(wal));
    TreeSet<Long> cuts = new TreeSet<>(List.of(0L, 8L, 15L, 16L));
    WalSpan last = records.get(records.size() - 1);
    cuts.add(last.offset());
    cuts.add(last.end() - 1);
    while (cuts.size() < target) {
      WalSpan r = records.get(random.nextInt(records.size()));
      cuts.add(random.nextBoolean() ? r.offset() : r.offset() + 1 + random.nextInt((int) (r.end() - r.offset()) - 1));
    }
    return cuts;
  }

  /** Cuts in the header, at and inside blocks, in the footer (never at the full length). */
  private static TreeSet<Long> framedCuts(FileLayout.Framed layout, int target, Random random) {
    TreeSet<Long> cuts = new TreeSet<>(List.of(0L, 10L, layout.blocksStart(), layout.footerOffset(),
        layout.fileLength() - 1));
    List<Block> blocks = layout.blocks();
    while (cuts.size() < Math.min(target, layout.fileLength())) {
      if (random.nextBoolean() && !blocks.isEmpty()) {
        Block b = blocks.get(random.nextInt(blocks.size()));
        cuts.add(random.nextBoolean() ? b.offset() : b.offset() + 1 + random.nextInt((int) (b.end() - b.offset())));
      } else {
        cuts.add((long) random.nextInt((int) layout.fileLength()));
      }
    }
    return cuts;
  }

  // ---------------------------------------------------------------- data

  private static WalSpan lastRecord(Path wal) {
    List<WalSpan> records = FileLayout.walRecords(StoreDirs.read(wal));
    return records.get(records.size() - 1);
  }

  private static long secondLastSequence(Path wal) {
    List<WalSpan> records = FileLayout.walRecords(StoreDirs.read(wal));
    return records.get(records.size() - 2).sequence();
  }

  /** Every change of every commit, in commit order, as the feed reports them. */
  private static List<Change> expectedChanges() {
    List<Change> changes = new ArrayList<>();
    for (CommitModel.Commit c : model.commits()) {
      for (Op op : c.ops()) {
        changes.add(new Change(c.sequence(), op.value() == null ? Change.Kind.DELETE : Change.Kind.PUT,
            utf8(op.key()), op.value()));
      }
    }
    return changes;
  }

  /** Puts (some overwriting), deletes and small batches; about 240 bytes per commit. */
  private static void writeCommits(Store store, Random random, int first, int count) {
    for (int i = first; i < first + count; i++) {
      String key = String.format("key-%04d", random.nextInt(600));
      int kind = random.nextInt(10);
      if (kind == 0 && model.latest().containsKey(key)) {
        model.delete(store, key);
      } else if (kind == 1) {
        model.write(store, List.of(new Op(key, value(i)), new Op(String.format("batch-%04d", i % 97), value(i + 1))));
      } else {
        model.put(store, key, value(i));
      }
    }
  }

  private static byte[] value(int i) {
    byte[] v = new byte[200 + i % 50];
    Arrays.fill(v, (byte) ('a' + i % 26));
    v[0] = (byte) i;
    return v;
  }

}
