package dev.cairn.store.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Durability;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.fs.ForwardingVfs;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.recovery.FlushGateVfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a rotation does to the WAL it seals. The writer that rotates leaves the file's preallocated
 * zeros alone (cutting them waited for any fsync of the file that was running); the next sync cuts
 * the sealed WAL back to its records before it fsyncs it, so that the fsync writes no zeros.
 * Meanwhile change cursors read the sealed WAL up to its records' end, not into the zeros.
 *
 * <p>Each test holds the store's first flush, so that no checkpoint syncs the WALs, and sets the
 * periodic sync an hour apart: the WALs are synced only when the test says.
 */
class WalSealTest {
  private static final int PUTS = 150; // about 150 KB of WAL at 64 KiB per file: two rotations

  @TempDir Path dir;

  private final FlushGateVfs gate = new FlushGateVfs();
  private final RecordingVfs vfs = new RecordingVfs(gate);
  private final StoreOptions options = StoreOptions.builder().walRotateBytes(64 << 10)
      .durability(Durability.periodic(Duration.ofHours(1))).build();

  @Test
  void theRotatingWriterCutsNothingAndTheNextSyncCutsEachSealedWalBeforeItsFsync() throws IOException {
    Store store = StoreEngine.open(dir, options, vfs);
    try {
      vfs.recording = true;
      writeTwoRotations(store);
      List<Long> sealed = sealedWals();
      Map<Long, Integer> before = new TreeMap<>();
      for (long wal : sealed) {
        // A WAL that a rotation created fsynced its header then; nothing else happened to it.
        List<Event> events = vfs.events(wal);
        assertTrue(events.isEmpty() || events.equals(List.of(new Event("sync", 0))),
            "WAL " + wal + " was cut or synced by the writer: " + events);
        before.put(wal, events.size());
        assertEndsInZeros(wal);
      }
      store.flush();
      for (long wal : sealed) {
        List<Event> all = vfs.events(wal);
        List<Event> events = all.subList(before.get(wal), all.size());
        assertEquals(2, events.size(), "WAL " + wal + ": " + events);
        assertEquals("truncate", events.get(0).kind(), "WAL " + wal + " is cut first: " + events);
        assertEquals("sync", events.get(1).kind(), "WAL " + wal + " is fsynced once cut: " + events);
        assertEquals(events.get(0).bytes(), Files.size(walPath(wal)), "WAL " + wal + " ends where it was cut");
      }
    } finally {
      gate.open(); // before the close, which waits for the held flush
      store.close();
    }
  }

  @Test
  void aCursorReadsEveryCommitOfSealedWalsThatStillEndInZeros() throws IOException {
    Store store = StoreEngine.open(dir, options, vfs);
    try {
      writeTwoRotations(store);
      for (long wal : sealedWals()) {
        assertEndsInZeros(wal);
      }
      int read = 0;
      try (ChangeCursor cursor = store.changes(ChangeQuery.after(0))) {
        for (List<Change> batch = cursor.poll(Duration.ZERO); !batch.isEmpty(); batch = cursor.poll(Duration.ZERO)) {
          for (Change c : batch) {
            assertArrayEquals(key(read), c.key());
            read++;
          }
        }
      }
      assertEquals(PUTS, read, "commits read through the sealed WALs and the current one");
    } finally {
      gate.open();
      store.close();
    }
  }

  /** Two rotations, with the first flush held: the writer is not held back for flushes yet. */
  private static void writeTwoRotations(Store store) {
    byte[] value = new byte[1000];
    Arrays.fill(value, (byte) 'v');
    for (int i = 0; i < PUTS; i++) {
      store.put(key(i), value);
    }
  }

  /** The WAL files but the newest, oldest first. */
  private List<Long> sealedWals() throws IOException {
    List<Long> wals = new ArrayList<>();
    for (String name : vfs.list(dir)) {
      long n = FileNames.parse(name, FileNames.Kind.WAL);
      if (n >= 0) {
        wals.add(n);
      }
    }
    wals.sort(null);
    assertTrue(wals.size() >= 3, "WAL files: " + wals);
    return wals.subList(0, wals.size() - 1);
  }

  private void assertEndsInZeros(long wal) throws IOException {
    byte[] bytes = Files.readAllBytes(walPath(wal));
    assertArrayEquals(new byte[64], Arrays.copyOfRange(bytes, bytes.length - 64, bytes.length),
        "WAL " + wal + " still ends in its preallocated zeros");
  }

  private Path walPath(long wal) {
    return FileNames.path(dir, FileNames.Kind.WAL, wal);
  }

  private static byte[] key(int i) {
    return String.format("key-%05d", i).getBytes(StandardCharsets.UTF_8);
  }

  private record Event(String kind, long bytes) {}

  /** Records the truncates and syncs of WAL files, in order, once {@link #recording} is set. */
  private static final class RecordingVfs extends ForwardingVfs {
    private final Map<Long, List<Event>> events = new TreeMap<>();
    /** Set once the store is open: opening syncs and cuts files of its own. */
    volatile boolean recording;

    RecordingVfs(Vfs delegate) {
      super(delegate);
    }

    synchronized List<Event> events(long wal) {
      return List.copyOf(events.getOrDefault(wal, List.of()));
    }

    private void record(long wal, String kind, long bytes) {
      if (recording) {
        synchronized (this) {
          events.computeIfAbsent(wal, n -> new ArrayList<>()).add(new Event(kind, bytes));
        }
      }
    }

    @Override
    protected VfsFile openFile(Path file, Opening how) throws IOException {
      VfsFile f = super.openFile(file, how);
      long wal = FileNames.parse(file.getFileName().toString(), FileNames.Kind.WAL);
      if (wal < 0) {
        return f;
      }
      return new ForwardingFile(f) {
        @Override
        public void sync() throws IOException {
          super.sync();
          record(wal, "sync", 0);
        }

        @Override
        public void truncate(long byteCount) throws IOException {
          super.truncate(byteCount);
          record(wal, "truncate", byteCount);
        }
      };
    }
  }
}
