package dev.cairn.store.recovery;

import static dev.cairn.store.testing.Op.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.Durability;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.wal.WalFormat;
import dev.cairn.store.internal.wal.WalRecord;
import dev.cairn.store.recovery.FileLayout.WalSpan;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery of WALs that end in zeros (docs/FORMAT.md, "WAL files"). A WAL is preallocated with
 * zeros (and, under periodic durability, appended through a memory map), and a crash leaves that
 * tail on disk. Open takes the zeros for the file's end, in the newest WAL and in an
 * older one, keeps every commit before them, and cuts them off, so that later appends follow the
 * last record. Zeros where a later WAL's durability mark says records are is corruption. A newest
 * WAL whose header write stopped part way (a prefix of the header, then the zeros) is empty.
 *
 * <p>Every test starts from a copy of an open store that took {@value #COMMITS} puts: what a
 * {@code kill -9} would leave.
 */
class ZeroTailRecoveryTest {
  private static final int COMMITS = 500;

  @TempDir Path tmp;

  private Path image;
  private Path wal;
  private long recordsEnd;

  @BeforeEach
  void copyAnOpenStore() {
    Path dir = tmp.resolve("store");
    try (Store store = Store.open(dir)) {
      for (int i = 0; i < COMMITS; i++) {
        store.put(key(i), value(i));
      }
      image = StoreDirs.copy(dir, tmp.resolve("image"));
    }
    wal = StoreDirs.only(image, StoreDirs.WAL);
    byte[] bytes = StoreDirs.read(wal);
    List<WalSpan> records = FileLayout.walRecords(bytes);
    assertEquals(COMMITS, records.size(), "one record per put");
    recordsEnd = records.get(records.size() - 1).end();
    assertTrue(bytes.length > recordsEnd, "the open WAL is longer than its records: " + bytes.length);
    for (long i = recordsEnd; i < bytes.length; i++) {
      assertEquals(0, bytes[(int) i], "the preallocated tail is zeros, at " + i);
    }
  }

  @Test
  void newestWalEndingInZeros_opensWithEveryCommit_andLaterWritesSurviveAReopen() {
    try (Store store = Store.open(image)) {
      assertEquals(COMMITS, store.lastSequence());
      assertAllPresent(store);
      store.put(utf8("after"), utf8("the zeros were cut off"));
    }
    try (Store store = Store.open(image)) {
      assertEquals(COMMITS + 1, store.lastSequence());
      assertAllPresent(store);
      assertArrayEquals(utf8("the zeros were cut off"), store.get(utf8("after")));
    }
  }

  @Test
  void olderWalEndingInZeros_isWhole_whenALaterWalMarksNoMoreThanItsRecords() {
    writeNextWal(recordsEnd);
    try (Store store = Store.open(image)) {
      assertEquals(COMMITS + 1, store.lastSequence(), "the later WAL's commit is replayed too");
      assertAllPresent(store);
      assertArrayEquals(utf8("in the next WAL"), store.get(utf8("next")));
    }
    assertEquals(recordsEnd, StoreDirs.read(wal).length, "open cut the zeros off the older WAL");
  }

  @Test
  void olderWalEndingInZeros_whereALaterWalMarksMoreBytes_isCorruptionAtTheZeros() {
    writeNextWal(recordsEnd + 100);
    CorruptionException e = assertThrows(CorruptionException.class, () -> Store.open(image).close());
    assertEquals(wal.getFileName(), e.file().getFileName());
    assertEquals(recordsEnd, e.fileOffset());
  }

  @Test
  void newestWalWithAHeaderTornBeforeItsZeros_isAnEmptyTornWal() {
    byte[] torn = new byte[64 * 1024];
    System.arraycopy(WalFormat.header(), 0, torn, 0, 7);
    StoreDirs.write(nextWalPath(), torn);
    try (Store store = Store.open(image)) {
      assertEquals(COMMITS, store.lastSequence());
      assertAllPresent(store);
      store.put(utf8("after"), utf8("in a WAL of its own"));
    }
    try (Store store = Store.open(image)) {
      assertArrayEquals(utf8("in a WAL of its own"), store.get(utf8("after")));
    }
  }

  @Test
  void newestWalWithBytesOtherThanAHeaderBeforeItsZeros_isCorruptionAtOffsetZero() {
    byte[] damaged = new byte[64 * 1024];
    System.arraycopy(WalFormat.header(), 0, damaged, 0, 7);
    damaged[3] ^= 1;
    Path next = nextWalPath();
    StoreDirs.write(next, damaged);
    CorruptionException e = assertThrows(CorruptionException.class, () -> Store.open(image).close());
    assertEquals(next.getFileName(), e.file().getFileName());
    assertEquals(0, e.fileOffset());
  }

  @Test
  void underSync_theWalIsPreallocatedToo_andACopyOfTheOpenStoreOpensWithEveryCommit() {
    Path dir = tmp.resolve("sync-store");
    Path syncImage;
    try (Store store = Store.open(dir, StoreOptions.builder().durability(Durability.SYNC).build())) {
      for (int i = 0; i < 10; i++) {
        store.put(key(i), value(i));
      }
      syncImage = StoreDirs.copy(dir, tmp.resolve("sync-image"));
    }
    byte[] bytes = StoreDirs.read(StoreDirs.only(syncImage, StoreDirs.WAL));
    List<WalSpan> records = FileLayout.walRecords(bytes);
    assertEquals(10, records.size());
    assertTrue(bytes.length > records.get(records.size() - 1).end(), "the open WAL has a zero tail: " + bytes.length);
    try (Store reopened = Store.open(syncImage, StoreOptions.builder().durability(Durability.SYNC).build())) {
      for (int i = 0; i < 10; i++) {
        assertArrayEquals(value(i), reopened.get(key(i)), "key " + i);
      }
      reopened.put(key(10), value(10));
    }
    try (Store again = Store.open(syncImage)) {
      assertArrayEquals(value(10), again.get(key(10)), "a write after the reopen follows the last record");
    }
  }

  private Path nextWalPath() {
    long number = Long.parseLong(wal.getFileName().toString().substring(0, 20));
    return wal.resolveSibling(String.format("%020d", number + 1) + WalFormat.SUFFIX);
  }

  /**
   * Writes the WAL after {@link #wal}: a header, a durability mark saying {@code markedLength} bytes
   * of it are durable, and a put at the next sequence.
   */
  private void writeNextWal(long markedLength) {
    long number = Long.parseLong(wal.getFileName().toString().substring(0, 20));
    ByteArrayOutputStream next = new ByteArrayOutputStream();
    next.writeBytes(WalFormat.header());
    next.writeBytes(WalFormat.mark(number, markedLength));
    WalRecord put = WalRecord.encodeSingle(utf8("next"), utf8("in the next WAL"));
    put.seal(COMMITS + 1);
    next.writeBytes(put.bytes());
    StoreDirs.write(nextWalPath(), next.toByteArray());
  }

  private static void assertAllPresent(Store store) {
    for (int i = 0; i < COMMITS; i++) {
      assertArrayEquals(value(i), store.get(key(i)), "key " + i);
    }
  }

  private static byte[] key(int i) {
    return utf8("key-" + i);
  }

  private static byte[] value(int i) {
    return utf8("value of key " + i + " ".repeat(i % 40));
  }
}
