package dev.cairn.store.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.Durability;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.WriteBatch;
import dev.cairn.store.internal.engine.StoreEngine;
import dev.cairn.store.internal.fs.ForwardingVfs;
import dev.cairn.store.internal.fs.NioVfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.wal.WalFormat;
import dev.cairn.store.internal.wal.WalRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recovery of a WAL that a newer one follows (docs/FORMAT.md, "Recovery: torn tail or
 * corruption"). Rotation does not fsync the old WAL, so a power failure may cut it short while the
 * newer WAL holds records: unless a newer WAL holds a durability mark for it, that is a cut, and
 * open keeps the commits before it and deletes the newer WALs; with a mark it is damage.
 *
 * <p>Each test writes WAL files 1 and 2 by hand: five commits {@code k1..k5}, three in WAL 1 and
 * two in WAL 2.
 */
class OlderWalRecoveryTest {
  private static final Path WAL_1 = Path.of("00000000000000000001.wal");
  private static final Path WAL_2 = Path.of("00000000000000000002.wal");

  @TempDir Path dir;

  private static byte[] commit(long sequence) {
    WalRecord r = WalRecord.encode(WriteBatch.create().put("k" + sequence, "v" + sequence));
    r.seal(sequence);
    return r.bytes();
  }

  /** A WAL file holding {@code parts} after its header. */
  private static byte[] wal(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(WalFormat.header());
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private void write(byte[] wal1, byte[] wal2) throws IOException {
    Files.write(dir.resolve(WAL_1), wal1);
    Files.write(dir.resolve(WAL_2), wal2);
  }

  private static StoreOptions options() {
    return StoreOptions.builder().build();
  }

  @Test
  void olderWalCutInsideARecordWithoutAMark_keepsTheCommitsBeforeTheCutAndDeletesTheNewerWal() throws IOException {
    byte[] whole = wal(commit(1), commit(2), commit(3));
    int cut = whole.length - 3; // inside commit 3
    write(Arrays.copyOf(whole, cut), wal(commit(4), commit(5)));

    try (Store store = Store.open(dir, options())) {
      assertEquals(2, store.lastSequence());
      assertEquals("v2", store.get("k2"));
      assertNull(store.get("k3"), "commit 3 was torn");
      assertNull(store.get("k4"), "nothing after the cut was durable");
      store.put("k6", "v6");
    }
    assertFalse(Files.exists(dir.resolve(WAL_2)), "the WAL after the cut is deleted");
    try (Store store = Store.open(dir, options())) {
      assertEquals("v6", store.get("k6"), "writes after the recovery survive a reopen");
      assertEquals(3, store.lastSequence());
    }
  }

  @Test
  void olderWalCutInsideARecordThatANewerWalMarksDurable_isCorruptionAtTheCut() throws IOException {
    byte[] whole = wal(commit(1), commit(2), commit(3));
    int recordThree = whole.length - commit(3).length;
    write(Arrays.copyOf(whole, whole.length - 3), wal(WalFormat.mark(1, whole.length), commit(4), commit(5)));

    CorruptionException e = assertThrows(CorruptionException.class, () -> Store.open(dir, options()));
    assertEquals(dir.resolve(WAL_1), e.file());
    assertEquals(recordThree, e.fileOffset());
    assertTrue(Files.exists(dir.resolve(WAL_2)), "nothing is deleted when open fails");
  }

  @Test
  void olderWalMissingWholeRecordsWithoutAMark_isACutBeforeTheNewerWal() throws IOException {
    write(wal(commit(1), commit(2)), wal(commit(4), commit(5))); // commit 3 lost at a record boundary

    try (Store store = Store.open(dir, options())) {
      assertEquals(2, store.lastSequence());
      assertNull(store.get("k4"));
    }
    assertFalse(Files.exists(dir.resolve(WAL_2)));
  }

  @Test
  void olderWalMissingWholeRecordsThatANewerWalMarksDurable_isCorruptionAtItsEnd() throws IOException {
    byte[] wal1 = wal(commit(1), commit(2));
    write(wal1, wal(WalFormat.mark(1, wal1.length + commit(3).length), commit(4), commit(5)));

    CorruptionException e = assertThrows(CorruptionException.class, () -> Store.open(dir, options()));
    assertEquals(dir.resolve(WAL_1), e.file());
    assertEquals(wal1.length, e.fileOffset());
  }

  @Test
  void wholeOlderWalAndANewerWalWithoutAMark_recoverEveryCommit() throws IOException {
    write(wal(commit(1), commit(2), commit(3)), wal(commit(4), commit(5)));

    try (Store store = Store.open(dir, options())) {
      assertEquals(5, store.lastSequence());
      assertEquals("v4", store.get("k4"));
    }
  }

  @Test
  void aStoreWhoseWalIsOfVersion1_appendsToIt_rotatesIntoVersion2_andLosesNothing() throws IOException {
    byte[] v1 = wal(commit(1), commit(2));
    dev.cairn.store.internal.util.Bytes.putInt(v1, 8, 1);
    dev.cairn.store.internal.util.Bytes.putInt(v1, 12, dev.cairn.store.internal.util.Bytes.crc32c(v1, 0, 12));
    Files.write(dir.resolve(WAL_1), v1);
    StoreOptions small = StoreOptions.builder().walRotateBytes(64 * 1024)
        .changeRetention(1L << 30, Duration.ofDays(1)).build(); // keeps WAL 1 as change history
    byte[] value = new byte[1024];
    try (Store store = Store.open(dir, small)) {
      assertEquals("v2", store.get("k2"));
      store.put("k3", "v3"); // appended to the version 1 file
      for (int i = 0; i < 200; i++) {
        store.put(("big" + i).getBytes(), value); // rotates into version 2 files
      }
    }
    assertEquals(1, java.nio.ByteBuffer.wrap(Files.readAllBytes(dir.resolve(WAL_1))).getInt(8),
        "the version 1 file was appended to as it is");
    try (Store store = Store.open(dir, small)) {
      assertEquals(203, store.lastSequence());
      assertEquals("v3", store.get("k3"));
      assertEquals(1024, store.get("big199".getBytes()).length);
    }
  }

  @Test
  void compactDoesNotSealAWalThatHoldsOnlyMarks_soTheHistoryReopens() throws IOException {
    // compact() rotates the WAL; its checkpoint's sync pass then marks the sealed WAL in the new
    // one, which holds nothing else. Sealing that one too would leave a history WAL without a commit.
    StoreOptions keepHistory = StoreOptions.builder().changeRetention(1L << 30, Duration.ofDays(1)).build();
    try (Store store = Store.open(dir, keepHistory)) {
      store.put("k1", "v1");
      store.compact();
      store.compact();
      store.put("k2", "v2");
    }
    try (Store store = Store.open(dir, keepHistory)) {
      assertEquals(2, store.lastSequence());
      assertEquals("v1", store.get("k1"));
      assertEquals("v2", store.get("k2"));
    }
  }

  /** The real file system, with every WAL file it opens or creates wrapped by {@link #wal}. */
  private abstract static class WalWatch extends ForwardingVfs {
    WalWatch() {
      super(new NioVfs());
    }

    @Override
    protected VfsFile openFile(Path file, Opening how) throws IOException {
      VfsFile f = super.openFile(file, how);
      return file.toString().endsWith(WalFormat.SUFFIX) ? wal(file, f) : f;
    }

    abstract VfsFile wal(Path path, VfsFile file) throws IOException;
  }

  /** Records which WAL files the caller's thread fsyncs, and how often. */
  private static final class SyncLog extends WalWatch {
    final Map<String, Integer> callerSyncs = new ConcurrentHashMap<>();
    final Thread caller = Thread.currentThread();

    @Override
    VfsFile wal(Path path, VfsFile f) {
      return new ForwardingFile(f) {
        @Override
        public void sync() throws IOException {
          if (Thread.currentThread() == caller) {
            callerSyncs.merge(path.getFileName().toString(), 1, Integer::sum);
          }
          super.sync();
        }
      };
    }
  }

  /**
   * Checks, at every fsync of a WAL that holds more than its header, that every older WAL still in
   * the directory is whole on disk: the order recovery relies on to take a torn older WAL for a
   * power-loss cut.
   */
  private static final class OrderCheck extends WalWatch {
    final Map<Path, long[]> walBytes = new ConcurrentHashMap<>(); // {appended, synced}
    final List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void delete(Path file) throws IOException {
      walBytes.remove(file);
      super.delete(file);
    }

    @Override
    VfsFile wal(Path path, VfsFile f) throws IOException {
      long size = f.size();
      walBytes.putIfAbsent(path, new long[] {size, size});
      return new ForwardingFile(f) {
        @Override
        public void append(byte[] src, int srcOffset, int length) throws IOException {
          super.append(src, srcOffset, length);
          synchronized (walBytes) {
            walBytes.get(path)[0] += length;
          }
        }

        @Override
        public void sync() throws IOException {
          long appended;
          synchronized (walBytes) {
            appended = walBytes.get(path)[0];
            if (appended > WalFormat.HEADER_BYTES) {
              walBytes.forEach((other, bytes) -> {
                if (other.getFileName().toString().compareTo(path.getFileName().toString()) < 0 && bytes[1] < bytes[0]) {
                  violations.add(path.getFileName() + " fsynced while " + other.getFileName() + " had "
                      + (bytes[0] - bytes[1]) + " bytes unsynced");
                }
              });
            }
          }
          super.sync();
          synchronized (walBytes) {
            long[] bytes = walBytes.get(path);
            bytes[1] = Math.max(bytes[1], appended);
          }
        }
      };
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void walsAreFsyncedOldestFirst_acrossRotationsFlushesCheckpointsAndCompaction(boolean syncEachCommit)
      throws IOException {
    OrderCheck vfs = new OrderCheck();
    StoreOptions options = StoreOptions.builder()
        .durability(syncEachCommit ? Durability.SYNC : Durability.periodic(Duration.ofMillis(5)))
        .walRotateBytes(64 * 1024).segmentBytes(1024 * 1024).build();
    byte[] value = new byte[1024];
    try (Store store = StoreEngine.open(dir, options, vfs)) {
      for (int i = 0; i < 600; i++) {
        value[0] = (byte) i;
        store.put(("key" + i % 200).getBytes(), value);
        if (i % 50 == 49) {
          store.flush();
        }
        if (i == 300) {
          store.compact();
        }
      }
    }
    try (Store store = StoreEngine.open(dir, options, vfs)) {
      assertEquals(600, store.lastSequence());
      store.put("after".getBytes(), value);
    }
    assertEquals(0, vfs.violations.size(), () -> vfs.violations.size() + " fsyncs out of order, the first: "
        + vfs.violations.subList(0, Math.min(3, vfs.violations.size())));
  }

  @Test
  void rotationUnderPeriodicDurability_neverFsyncsTheOldWalOnTheWritersThread() throws IOException {
    SyncLog vfs = new SyncLog();
    StoreOptions periodic = StoreOptions.builder().durability(Durability.periodic(Duration.ofHours(1)))
        .walRotateBytes(64 * 1024).build();
    byte[] value = new byte[1024];
    Store store = StoreEngine.open(dir, periodic, vfs);
    List<String> walsAfterOpen = new ArrayList<>(vfs.callerSyncs.keySet());
    for (int i = 0; i < 300; i++) {
      store.put(("key" + i).getBytes(), value);
    }
    Map<String, Integer> duringWrites = Map.copyOf(vfs.callerSyncs);
    store.close();

    long rotations = duringWrites.keySet().stream().filter(name -> !walsAfterOpen.contains(name)).count();
    assertTrue(rotations >= 3, "300 KiB of puts rotate 64 KiB WALs: " + duringWrites);
    duringWrites.forEach((name, syncs) -> assertEquals(1, syncs,
        name + " is fsynced by the writer only when created, for its header"));
    try (Store reopened = Store.open(dir, periodic)) {
      assertEquals(300, reopened.lastSequence(), "close made every commit durable");
    }
  }
}
