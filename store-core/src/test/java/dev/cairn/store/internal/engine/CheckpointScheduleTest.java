package dev.cairn.store.internal.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Durability;
import dev.cairn.store.Store;
import dev.cairn.store.StoreException;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.checkpoint.CheckpointMeta;
import dev.cairn.store.internal.checkpoint.CheckpointReader;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.sim.CrashMode;
import dev.cairn.store.sim.FailingSyncVfs;
import dev.cairn.store.sim.MemoryVfs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * When the maintenance thread writes checkpoints: a flush writes one only once the WAL files since
 * the last checkpoint's replay start hold {@link Maintenance#CHECKPOINT_WAL_ROTATIONS} WAL files'
 * worth; until then recovery replays those WAL files, so they and the segments the checkpoint on
 * disk lists stay on disk, and a power loss keeps every acknowledged write. An explicit compaction,
 * an idle store and {@code close()} catch the checkpoint up.
 */
class CheckpointScheduleTest {
  private static final Path DIR = Path.of("/store");
  private static final long WAL_ROTATE_BYTES = 64 << 10;
  private static final int ROTATIONS = (int) Maintenance.CHECKPOINT_WAL_ROTATIONS;

  private static StoreOptions.Builder options() {
    return StoreOptions.builder().durability(Durability.SYNC).walRotateBytes(WAL_ROTATE_BYTES);
  }

  @Test
  void aFlushWritesACheckpointOnlyOnceTheWalSinceTheLastOnePassesItsBudget() throws Exception {
    MemoryVfs vfs = new MemoryVfs();
    try (Store store = StoreEngine.open(DIR, options().build(), vfs)) {
      StoreEngine engine = (StoreEngine) store;
      Writes writes = new Writes(store);
      int flushes = 2 * ROTATIONS + 1;
      for (int flush = 1; flush <= flushes; flush++) {
        writes.untilRotation(engine);
        engine.maintenance().submit(() -> {}).join(); // after the flush task
        assertEquals(flush / ROTATIONS, engine.maintenance().checkpoints(), "checkpoints after flush " + flush);
        assertFilesOfTheCheckpointOnDiskExist(vfs);
      }
      assertTrue(engine.maintenance().compactions() > 0, "the small segments were compacted");
    }
  }

  @Test
  void segmentsThatCompactionReplacedStayOnDiskUntilACheckpointNoLongerListsThem() throws Exception {
    MemoryVfs vfs = new MemoryVfs();
    // Overwrites of the same keys: each flush leaves the segments before it all garbage.
    StoreOptions options = options().compactionGarbageRatio(0.5).build();
    boolean replacedKeptOnDisk = false;
    try (Store store = StoreEngine.open(DIR, options, vfs)) {
      StoreEngine engine = (StoreEngine) store;
      Writes writes = new Writes(store, 40);
      for (int flush = 1; flush <= 3 * ROTATIONS; flush++) {
        writes.untilRotation(engine);
        engine.maintenance().submit(() -> {}).join();
        assertFilesOfTheCheckpointOnDiskExist(vfs);
        List<Long> live = engine.maintenance().segments().stream().map(s -> s.fileNumber()).toList();
        replacedKeptOnDisk |= !live.containsAll(files(vfs, FileNames.Kind.SEGMENT));
      }
      assertTrue(replacedKeptOnDisk, "a compaction between checkpoints left the segments it replaced on disk");
      store.compact();
      assertEquals(engine.maintenance().segments().stream().map(s -> s.fileNumber()).toList(),
          List.copyOf(files(vfs, FileNames.Kind.SEGMENT)), "after compact(), only live segments are on disk");
      writes.assertReadable(store);
    }
  }

  @Test
  void aPowerLossAfterFlushesThatWroteNoCheckpointKeepsEveryAcknowledgedWrite() throws Exception {
    for (int flushes : new int[] {ROTATIONS - 1, ROTATIONS + 2}) {
      MemoryVfs vfs = new MemoryVfs();
      StoreEngine engine = (StoreEngine) StoreEngine.open(DIR, options().build(), vfs);
      Writes writes = new Writes(engine, 300);
      for (int flush = 1; flush <= flushes; flush++) {
        writes.untilRotation(engine);
        writes.deleteOne(engine);
      }
      engine.maintenance().submit(() -> {}).join();
      assertEquals(flushes / ROTATIONS, engine.maintenance().checkpoints(), "checkpoints before the power loss");
      assertTrue(engine.stats().segments() > 0, "flushed segments");
      MemoryVfs image = vfs.crashImage(CrashMode.DROP_UNSYNCED, new Random(flushes));
      engine.close();

      try (Store recovered = StoreEngine.open(DIR, options().build(), image)) {
        writes.assertReadable(recovered);
        assertEquals(writes.live(), recovered.stats().keys(), "keys after recovery from " + flushes + " flushes");
      }
    }
  }

  @Test
  void walFilesTheCheckpointOnDiskReplaysAreKeptWhateverTheRetention() throws Exception {
    MemoryVfs vfs = new MemoryVfs();
    try (Store store = StoreEngine.open(DIR, options().changeRetention(0, java.time.Duration.ofDays(7)).build(), vfs)) {
      StoreEngine engine = (StoreEngine) store;
      Writes writes = new Writes(store);
      for (int flush = 1; flush < ROTATIONS; flush++) {
        writes.untilRotation(engine);
        engine.maintenance().submit(() -> {}).join();
      }
      assertEquals(0, engine.maintenance().checkpoints());
      assertEquals(ROTATIONS, files(vfs, FileNames.Kind.WAL).size(), "every flushed WAL and the current one");
      writes.untilRotation(engine);
      engine.maintenance().submit(() -> {}).join();
      assertEquals(1, engine.maintenance().checkpoints());
      assertEquals(List.of(engine.wal().number()), List.copyOf(files(vfs, FileNames.Kind.WAL)),
          "only the current WAL once the checkpoint covers the flushed ones");
    }
  }

  @Test
  void closeWritesTheCheckpointThatFlushesSkipped_soTheNextOpenReplaysNoFlushedWal() throws Exception {
    MemoryVfs vfs = new MemoryVfs();
    StoreEngine engine = (StoreEngine) StoreEngine.open(DIR, options().build(), vfs);
    Writes writes = new Writes(engine);
    for (int flush = 1; flush <= 2; flush++) {
      writes.untilRotation(engine);
      engine.maintenance().submit(() -> {}).join(); // one segment per flush, not both WAL files in one
    }
    assertEquals(0, engine.maintenance().checkpoints());
    long current = engine.wal().number();
    engine.close();
    assertEquals(1, engine.maintenance().checkpoints(), "close wrote the checkpoint");
    long walStart = checkpointOnDisk(vfs).walStartNumber();
    assertTrue(walStart <= current, "replay starts at or before the WAL that was current");
    assertEquals(List.of(), List.copyOf(files(vfs, FileNames.Kind.WAL).subSet(walStart, current)),
        "no flushed WAL file is replayed");

    try (Store reopened = StoreEngine.open(DIR, options().build(), vfs)) {
      assertEquals(2, reopened.stats().segments(), "both flushed segments are listed, none was deleted");
      writes.assertReadable(reopened);
    }
  }

  @Test
  void closeOfAFailedStoreWritesNoCheckpoint_theNextOpenRecoversFromTheOneOnDisk() throws Exception {
    MemoryVfs vfs = new MemoryVfs();
    FailingSyncVfs failing = new FailingSyncVfs(vfs);
    StoreEngine engine = (StoreEngine) StoreEngine.open(DIR, options().build(), failing);
    Writes writes = new Writes(engine);
    writes.untilRotation(engine);
    engine.maintenance().submit(() -> {}).join();
    failing.failSyncs.set(true);
    assertThrows(StoreException.class, () -> engine.put(new byte[] {1}, new byte[] {2}), "the store latches");
    failing.failSyncs.set(false); // the disk works again, but the store stays failed
    engine.close();
    assertEquals(0, engine.maintenance().checkpoints());
    assertEquals(List.of(), List.copyOf(files(vfs, FileNames.Kind.CHECKPOINT)), "no checkpoint after the failure");

    try (Store reopened = StoreEngine.open(DIR, options().build(), vfs)) {
      writes.assertReadable(reopened);
    }
  }

  @Test
  void anIdleStoreCatchesItsCheckpointUp() throws Exception {
    MemoryVfs vfs = new MemoryVfs();
    try (Store store = StoreEngine.open(DIR, options().build(), vfs)) {
      StoreEngine engine = (StoreEngine) store;
      Writes writes = new Writes(store);
      writes.untilRotation(engine);
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (engine.maintenance().checkpoints() == 0) {
        assertFalse(System.nanoTime() > deadline, "no checkpoint 30 s after the last write");
        Thread.sleep(10);
      }
      assertFilesOfTheCheckpointOnDiskExist(vfs);
      assertEquals(engine.maintenance().segments().size(), checkpointOnDisk(vfs).segments().size());
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Every segment the newest checkpoint lists is on disk, and no WAL file from its replay start on
   * was ever deleted.
   */
  private static void assertFilesOfTheCheckpointOnDiskExist(MemoryVfs vfs) throws IOException {
    boolean any = !files(vfs, FileNames.Kind.CHECKPOINT).isEmpty();
    long walStart = any ? checkpointOnDisk(vfs).walStartNumber() : 1;
    for (String op : vfs.operationLog()) {
      long n = op.startsWith("delete ") ? FileNames.parse(op.substring("delete ".length()), FileNames.Kind.WAL) : -1;
      assertTrue(n < walStart, "WAL " + n + " deleted, but the checkpoint on disk replays from " + walStart);
    }
    if (any) {
      for (CheckpointMeta.SegmentRef ref : checkpointOnDisk(vfs).segments()) {
        assertTrue(vfs.exists(FileNames.path(DIR, FileNames.Kind.SEGMENT, ref.fileNumber())),
            "segment " + ref.fileNumber() + " listed by the checkpoint on disk");
      }
    }
  }

  private static CheckpointMeta checkpointOnDisk(Vfs vfs) throws IOException {
    Path path = FileNames.path(DIR, FileNames.Kind.CHECKPOINT, files(vfs, FileNames.Kind.CHECKPOINT).last());
    try (VfsFile file = vfs.open(path)) {
      return CheckpointReader.readMeta(path, file);
    }
  }

  private static TreeSet<Long> files(Vfs vfs, FileNames.Kind kind) throws IOException {
    TreeSet<Long> numbers = new TreeSet<>();
    for (String name : vfs.list(DIR)) {
      long n = FileNames.parse(name, kind);
      if (n >= 0) {
        numbers.add(n);
      }
    }
    return numbers;
  }

  /** Puts of 1 KiB values over a set of keys, in turn, remembering the newest value of each. */
  private static final class Writes {
    private final Store store;
    private final int keys;
    private final List<byte[]> values = new ArrayList<>();
    private int next;
    private int deleted;

    Writes(Store store) {
      this(store, Integer.MAX_VALUE);
    }

    Writes(Store store, int keys) {
      this.store = store;
      this.keys = keys;
    }

    /** Puts until the store starts a new WAL file. */
    void untilRotation(StoreEngine engine) {
      long wal = engine.wal().number();
      while (engine.wal().number() == wal) {
        int k = next % keys;
        byte[] value = new byte[1000];
        new Random(next).nextBytes(value);
        store.put(key(k), value);
        if (k == values.size()) {
          values.add(value);
        } else {
          values.set(k, value);
        }
        next++;
      }
    }

    /** Deletes the lowest key not deleted yet. */
    void deleteOne(Store into) {
      into.delete(key(deleted));
      values.set(deleted++, null);
    }

    long live() {
      return values.stream().filter(v -> v != null).count();
    }

    void assertReadable(Store from) {
      for (int k = 0; k < values.size(); k++) {
        if (values.get(k) == null) {
          assertNull(from.get(key(k)), "deleted key " + k);
        } else {
          assertArrayEquals(values.get(k), from.get(key(k)), "key " + k);
        }
      }
    }

    private static byte[] key(int k) {
      return String.format("key-%06d", k).getBytes(UTF_8);
    }
  }
}
