package dev.cairn.store.recovery;

import static dev.cairn.store.testing.Op.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.engine.StoreEngine;
import dev.cairn.store.internal.wal.WalFormat;
import dev.cairn.store.testing.Op;
import dev.cairn.store.recovery.FileLayout.WalSpan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recovery of the newest WAL (docs/FORMAT.md, "Recovery: torn tail or corruption"). A record that
 * is cut short or fails its checksum with nothing valid after it is a torn tail: open keeps the
 * commits before it, drops it, and later writes survive a reopen. A WAL cut inside its header,
 * or holding only zero bytes, is an empty torn WAL. A damaged record followed by a valid one, or
 * a damaged header, is corruption, reported with the WAL's name and the damaged record's offset.
 *
 * <p>Every test starts from one store closed after {@value #COMMITS} small commits (puts, deletes
 * and multi-key batches) under the default options, which leave them all in one small WAL.
 */
class WalTailRecoveryTest {
  private static final int COMMITS = 48;
  private static final String AFTER = "written-after-recovery";

  @TempDir Path tmp;

  private Path original;
  private Path walName;
  private CommitModel model;
  private byte[] wal;
  private List<WalSpan> records;

  @BeforeEach
  void writeCommitsIntoOneWal() {
    original = tmp.resolve("original");
    model = writeMixedCommits(original, new Random(20240611));
    assertEquals(List.of(), StoreDirs.files(original, StoreDirs.SEGMENT), "small commits stay in the WAL");
    Path walFile = StoreDirs.only(original, StoreDirs.WAL);
    walName = walFile.getFileName();
    wal = StoreDirs.read(walFile);
    records = FileLayout.walRecords(wal);
    assertEquals(
        model.commits().stream().map(CommitModel.Commit::sequence).collect(Collectors.toList()),
        records.stream().map(WalSpan::sequence).collect(Collectors.toList()),
        "the WAL holds one record per commit, in commit order");
  }

  // ---------------------------------------------------------------- cuts

  /**
   * Cuts the WAL inside its header, and for every record at its start (a clean record boundary),
   * at a random byte inside its 8-byte header, at a random byte inside its payload, and one byte
   * short of its end: every way a crash can leave a record partly written. (Every byte of the
   * file takes minutes, each cut being two opens with their fsyncs, and finds nothing more:
   * recovery treats every cut inside one part of a record alike.)
   */
  @Test
  void everyCutOfTheWal_recoversExactlyTheCommitsWhoseRecordsEndBeforeTheCut() {
    Random random = new Random(7);
    TreeSet<Long> cuts = new TreeSet<>(List.of(0L, 1L, 8L, (long) WalFormat.HEADER_BYTES - 1));
    for (WalSpan r : records) {
      cuts.add(r.offset());
      cuts.add(r.offset() + 1 + random.nextInt(WalFormat.RECORD_HEADER_BYTES - 1));
      cuts.add(r.payloadOffset() + random.nextInt(r.payloadLength()));
      cuts.add(r.end() - 1);
    }
    cuts.add((long) wal.length);
    for (long cut : cuts) {
      long survivor = lastSequenceEndingBy(cut);
      Path trial = StoreDirs.copy(original, tmp.resolve("cut-" + cut));
      StoreDirs.truncate(trial.resolve(walName), cut);
      assertRecoversPrefix(trial, survivor, "WAL cut at byte " + cut + " of " + wal.length);
      StoreDirs.delete(trial);
    }
    System.out.println("WAL cut sweep: " + cuts.size() + " cuts of a " + wal.length + "-byte WAL holding "
        + records.size() + " records; each recovered exactly the commits complete before the cut");
  }

  /** Ways a crash can leave the end of the newest WAL. */
  enum TornTail {
    ZEROS_OVER_THE_LAST_BYTES,
    GARBAGE_OVER_THE_LAST_BYTES,
    LAST_RECORD_ALL_ZEROS,
    LAST_RECORD_HEADER_GARBAGE,
    ZEROS_APPENDED_AFTER_THE_LAST_RECORD
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TornTail.class)
  void tornLastRecord_isDroppedCleanly_andLaterWritesSurviveAReopen(TornTail damage) {
    WalSpan last = records.get(records.size() - 1);
    long survivor = records.get(records.size() - 2).sequence();
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path walFile = trial.resolve(walName);
    Random random = new Random(damage.ordinal());
    if (damage == TornTail.ZEROS_OVER_THE_LAST_BYTES) {
      StoreDirs.overwrite(walFile, wal.length - 5, new byte[5]);
    } else if (damage == TornTail.GARBAGE_OVER_THE_LAST_BYTES) {
      StoreDirs.overwrite(walFile, wal.length - 5, garbage(random, 5));
    } else if (damage == TornTail.LAST_RECORD_ALL_ZEROS) {
      StoreDirs.overwrite(walFile, last.offset(), new byte[(int) (last.end() - last.offset())]);
    } else if (damage == TornTail.LAST_RECORD_HEADER_GARBAGE) {
      StoreDirs.overwrite(walFile, last.offset(), garbage(random, WalFormat.RECORD_HEADER_BYTES));
    } else {
      StoreDirs.overwrite(walFile, wal.length, new byte[4096]);
      survivor = last.sequence(); // zeros after a complete record: nothing is lost
    }
    assertRecoversPrefix(trial, survivor, damage.toString());
  }

  /**
   * Recovery must cut a torn tail off before the store takes new writes. New commits go to the
   * recovered WAL or to a newer one; either way, a torn record left in place would then sit before
   * valid records, and after a crash the next open would have to report corruption and lose the
   * writes acknowledged since. The test checks the WAL's length once open returns, writes and
   * syncs one commit, and copies the directory as a crash then would leave it, with any flush held
   * back at the file system.
   */
  @ParameterizedTest(name = "cut {0} bytes into the last record")
  @ValueSource(ints = {1, 9, 30})
  void tornTailIsTruncatedBeforeNewWrites_soACrashBeforeTheFlushLosesNothing(int bytesIntoLastRecord) {
    WalSpan last = records.get(records.size() - 1);
    long survivor = records.get(records.size() - 2).sequence();
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    StoreDirs.truncate(trial.resolve(walName), last.offset() + bytesIntoLastRecord);
    byte[] after = utf8("acknowledged before the crash");
    Path crashImage;
    FlushGateVfs vfs = new FlushGateVfs();
    try (Store store = StoreEngine.open(trial, StoreOptions.defaults(), vfs)) {
      try {
        assertEquals(last.offset(), StoreDirs.read(trial.resolve(walName)).length,
            "the replayed WAL is cut at its torn record before the store is handed out");
        assertEquals(survivor + 1, store.put(utf8(AFTER), after));
        store.flush();
        crashImage = StoreDirs.copy(trial, tmp.resolve("crash-image"));
      } finally {
        vfs.open();
      }
    }
    TreeMap<String, byte[]> expected = model.stateAt(survivor);
    expected.put(AFTER, after);
    List<String> probes = new ArrayList<>(model.everWritten());
    probes.add(AFTER);
    try (Store store = Store.open(crashImage)) {
      assertEquals(survivor + 1, store.lastSequence(), "lastSequence() after the crash");
      CommitModel.assertHolds(store, expected, probes, "crash after recovery and one more commit");
    }
  }

  // ---------------------------------------------------------------- damage before valid records

  @ParameterizedTest(name = "record {0}, byte {1} of the record flipped")
  @CsvSource({
    "0, 0", "0, 3", "0, 5", "0, 9", "0, -1",
    "1, 15", "1, -1",
    "2, 3", "2, -2",
    "23, 0", "23, 6", "23, 14", "23, -1",
    "46, 2", "46, 10", "46, -1"
  })
  void flippedByteInARecordFollowedByValidRecords_isCorruptionNamingTheWalAndTheRecordOffset(
      int recordIndex, int byteInRecord) {
    WalSpan damaged = records.get(recordIndex);
    long recordBytes = damaged.end() - damaged.offset();
    long flipAt = damaged.offset() + (byteInRecord >= 0 ? byteInRecord : recordBytes + byteInRecord);
    assertTrue(flipAt >= damaged.offset() && flipAt < damaged.end(), "the flip lands inside the record");
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path walFile = trial.resolve(walName);
    StoreDirs.flipByte(walFile, flipAt);

    CorruptionException e = assertThrows(CorruptionException.class, () -> Store.open(trial).close(),
        "a damaged record with valid records after it is not a torn tail");
    assertEquals(walFile.toAbsolutePath().normalize(), e.file().toAbsolutePath().normalize(), "file()");
    assertEquals(damaged.offset(), e.fileOffset(), "fileOffset() is the damaged record's offset");
    assertTrue(e.getMessage().contains(walName.toString()), "message names the WAL: " + e.getMessage());

    assertEquals(wal.length, StoreDirs.read(walFile).length, "a corrupt WAL is not truncated");
    CorruptionException again = assertThrows(CorruptionException.class, () -> Store.open(trial).close(),
        "the corruption is reported again on the next open");
    assertEquals(damaged.offset(), again.fileOffset());
  }

  @ParameterizedTest(name = "header byte {0} flipped")
  @ValueSource(ints = {0, 7, 8, 11, 12, 15})
  void damagedHeaderOfTheNewestWal_isCorruptionAtOffsetZero(int headerByte) {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path walFile = trial.resolve(walName);
    StoreDirs.flipByte(walFile, headerByte);

    CorruptionException e = assertThrows(CorruptionException.class, () -> Store.open(trial).close(),
        "a bad magic, version or header checksum is not a torn tail");
    assertEquals(walFile.toAbsolutePath().normalize(), e.file().toAbsolutePath().normalize(), "file()");
    assertEquals(0, e.fileOffset(), "fileOffset()");
  }

  @Test
  void newestWalOfOnlyZeroBytes_isAnEmptyTornWal() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    StoreDirs.overwrite(trial.resolve(walName), 0, new byte[wal.length]);
    assertRecoversPrefix(trial, 0, "WAL of zero bytes only");
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Opens {@code trial} and asserts it holds exactly the commits up to {@code survivor}; then
   * writes one more commit, reopens, and asserts that commit is there too.
   */
  private void assertRecoversPrefix(Path trial, long survivor, String context) {
    TreeMap<String, byte[]> expected = model.stateAt(survivor);
    List<String> probes = new ArrayList<>(model.everWritten());
    probes.add(AFTER);
    byte[] after = utf8("value written after: " + context);
    try (Store store = Store.open(trial)) {
      assertEquals(survivor, store.lastSequence(), context + ": lastSequence()");
      CommitModel.assertHolds(store, expected, probes, context);
      assertEquals(survivor + 1, store.put(utf8(AFTER), after), context + ": sequence of the next put");
    }
    expected.put(AFTER, after);
    try (Store store = Store.open(trial)) {
      assertEquals(survivor + 1, store.lastSequence(), context + ", reopened: lastSequence()");
      CommitModel.assertHolds(store, expected, probes, context + ", reopened after one more put");
    }
  }

  /** The sequence of the last record that ends at or before {@code cut}; 0 if none does. */
  private long lastSequenceEndingBy(long cut) {
    long sequence = 0;
    for (WalSpan r : records) {
      if (r.end() <= cut) {
        sequence = r.sequence();
      }
    }
    return sequence;
  }

  private static CommitModel writeMixedCommits(Path dir, Random random) {
    CommitModel model = new CommitModel();
    try (Store store = Store.open(dir)) {
      for (int i = 0; i < COMMITS; i++) {
        int kind = random.nextInt(10);
        List<String> live = new ArrayList<>(model.latest().keySet());
        if (kind < 2 && !live.isEmpty()) {
          model.delete(store, live.get(random.nextInt(live.size())));
        } else if (kind < 5) {
          List<Op> ops = new ArrayList<>();
          for (int n = 2 + random.nextInt(4), j = 0; j < n; j++) {
            String key = key(random);
            ops.add(random.nextInt(4) == 0 ? new Op(key, null) : new Op(key, value(random, i)));
          }
          model.write(store, ops);
        } else {
          model.put(store, key(random), value(random, i));
        }
      }
    }
    return model;
  }

  private static String key(Random random) {
    return String.format("key-%02d", random.nextInt(16));
  }

  private static byte[] value(Random random, int commit) {
    byte[] v = new byte[random.nextInt(40)];
    Arrays.fill(v, (byte) ('a' + commit % 26));
    return v;
  }

  private static byte[] garbage(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
