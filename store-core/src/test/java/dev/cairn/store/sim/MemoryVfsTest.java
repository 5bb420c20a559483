package dev.cairn.store.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.internal.fs.VfsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** What {@link MemoryVfs} keeps through each {@link CrashMode}, and how it dies at an operation. */
class MemoryVfsTest {
  private static final Path DIR = Path.of("/d");
  private static final Path FILE = DIR.resolve("f");

  private static byte[] bytes(int length, int seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    for (int i = 0; i < length; i++) {
      b[i] |= 1; // never zero, so zero-filled bytes stand out
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  /** A durable directory holding FILE with {@code synced} synced, then {@code unsynced} appended one by one. */
  private static MemoryVfs fileWith(byte[] synced, byte[]... unsynced) throws IOException {
    MemoryVfs vfs = new MemoryVfs();
    vfs.createDirectories(DIR);
    vfs.syncDirectory(DIR.getParent());
    VfsFile f = vfs.create(FILE);
    vfs.syncDirectory(DIR);
    f.append(synced, 0, synced.length);
    f.sync();
    for (byte[] u : unsynced) {
      f.append(u, 0, u.length);
    }
    return vfs;
  }

  private static byte[] content(MemoryVfs vfs, Path file) throws IOException {
    try (VfsFile f = vfs.open(file)) {
      byte[] b = new byte[(int) f.size()];
      f.read(0, b, 0, b.length);
      return b;
    }
  }

  @Test
  void dropUnsyncedKeepsExactlyTheSyncedBytes() throws IOException {
    byte[] synced = bytes(100, 1);
    MemoryVfs vfs = fileWith(synced, bytes(300, 2), bytes(50, 3));
    assertArrayEquals(synced, content(vfs.crashImage(CrashMode.DROP_UNSYNCED, new Random(1)), FILE));
    assertEquals(450, content(vfs, FILE).length, "the live file system is unchanged");
  }

  @Test
  void dropUnsyncedUndoesATruncationSinceTheLastSync() throws IOException {
    byte[] synced = bytes(100, 1);
    MemoryVfs vfs = fileWith(synced);
    try (VfsFile f = vfs.open(FILE)) {
      f.truncate(40);
      f.append(bytes(10, 9), 0, 10);
    }
    assertArrayEquals(synced, content(vfs.crashImage(CrashMode.DROP_UNSYNCED, new Random(1)), FILE));
  }

  @Test
  void keepRandomPrefixKeepsTheSyncedBytesAndSomePrefixOfTheRest() throws IOException {
    byte[] synced = bytes(100, 1);
    byte[] current = concat(synced, bytes(300, 2), bytes(50, 3));
    MemoryVfs vfs = fileWith(synced, bytes(300, 2), bytes(50, 3));
    Set<Integer> lengths = new HashSet<>();
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      byte[] image = content(vfs.crashImage(CrashMode.KEEP_RANDOM_PREFIX, random), FILE);
      assertTrue(image.length >= 100 && image.length <= 450, "length " + image.length);
      assertArrayEquals(Arrays.copyOf(current, image.length), image);
      lengths.add(image.length);
    }
    assertTrue(lengths.size() > 50, "prefixes vary: " + lengths.size() + " distinct lengths");
  }

  @Test
  void tearLastWriteKeepsEarlierAppendsAndCutsTheLastOneAtABoundary() throws IOException {
    byte[] synced = bytes(100, 1);
    byte[] current = concat(synced, bytes(300, 2), bytes(9000, 3));
    MemoryVfs vfs = fileWith(synced, bytes(300, 2), bytes(9000, 3));
    Set<Integer> lengths = new HashSet<>();
    Random random = new Random(7);
    for (int i = 0; i < 300; i++) {
      byte[] image = content(vfs.crashImage(CrashMode.TEAR_LAST_WRITE, random), FILE);
      assertTrue(image.length >= 400 && image.length < 9400, "the last append is torn, the one before kept: " + image.length);
      assertArrayEquals(Arrays.copyOf(current, image.length), image);
      lengths.add(image.length);
    }
    assertTrue(lengths.contains(4096) && lengths.contains(8192), "page boundaries are chosen: " + lengths);
    assertTrue(lengths.stream().anyMatch(n -> n % 512 == 0 && n % 4096 != 0), "sector boundaries are chosen");
    assertTrue(lengths.stream().anyMatch(n -> n % 512 != 0), "byte boundaries are chosen");
  }

  @Test
  void zeroFillKeepsTheSizeButZeroesWhatWasNotSynced() throws IOException {
    byte[] synced = bytes(100, 1);
    MemoryVfs vfs = fileWith(synced, bytes(300, 2));
    byte[] image = content(vfs.crashImage(CrashMode.ZERO_FILL_EXTENSION, new Random(1)), FILE);
    assertArrayEquals(concat(synced, new byte[300]), image);
  }

  @Test
  void forgettingDirectoryChangesUndoesCreatesDeletesAndRenames() throws IOException {
    MemoryVfs vfs = new MemoryVfs();
    vfs.createDirectories(DIR);
    vfs.syncDirectory(DIR.getParent());
    for (String name : List.of("kept", "deleted", "tmp", "target")) {
      try (VfsFile f = vfs.create(DIR.resolve(name))) {
        f.append(name.getBytes(), 0, name.length());
        f.sync();
      }
    }
    vfs.syncDirectory(DIR);
    vfs.create(DIR.resolve("created")).close();
    vfs.delete(DIR.resolve("deleted"));
    vfs.rename(DIR.resolve("tmp"), DIR.resolve("target"));

    MemoryVfs image = vfs.crashImage(CrashMode.FORGET_UNSYNCED_DIR_ENTRIES, new Random(1));
    assertEquals(Set.of("kept", "deleted", "tmp", "target"), new HashSet<>(image.list(DIR)));
    assertArrayEquals("target".getBytes(), content(image, DIR.resolve("target")), "the replaced target is back");
    assertArrayEquals("tmp".getBytes(), content(image, DIR.resolve("tmp")));

    MemoryVfs kept = vfs.crashImage(EnumSet.noneOf(CrashMode.class), new Random(1));
    assertEquals(Set.of("kept", "created", "target"), new HashSet<>(kept.list(DIR)), "without forgetting, every change stays");
    assertArrayEquals("tmp".getBytes(), content(kept, DIR.resolve("target")));
  }

  @Test
  void aDirectoryNeverSyncedInItsParentVanishesWithItsFiles() throws IOException {
    MemoryVfs vfs = new MemoryVfs();
    vfs.createDirectories(DIR);
    try (VfsFile f = vfs.create(FILE)) {
      f.append(new byte[] {1}, 0, 1);
      f.sync();
    }
    vfs.syncDirectory(DIR);
    MemoryVfs image = vfs.crashImage(CrashMode.FORGET_UNSYNCED_DIR_ENTRIES, new Random(1));
    assertFalse(image.exists(DIR));
    vfs.syncDirectory(DIR.getParent());
    assertTrue(vfs.crashImage(CrashMode.FORGET_UNSYNCED_DIR_ENTRIES, new Random(1)).exists(FILE));
  }

  @Test
  void contentAndDirectoryModesCombine() throws IOException {
    byte[] synced = bytes(100, 1);
    MemoryVfs vfs = fileWith(synced, bytes(300, 2));
    vfs.create(DIR.resolve("new")).close();
    MemoryVfs image = vfs.crashImage(EnumSet.of(CrashMode.DROP_UNSYNCED, CrashMode.FORGET_UNSYNCED_DIR_ENTRIES), new Random(1));
    assertEquals(List.of("f"), image.list(DIR));
    assertArrayEquals(synced, content(image, FILE));
    assertThrows(IllegalArgumentException.class,
        () -> vfs.crashImage(EnumSet.of(CrashMode.DROP_UNSYNCED, CrashMode.TEAR_LAST_WRITE), new Random(1)));
  }

  @Test
  void operationNAndEveryLaterOneFailFromAnyThreadWithoutChangingAnything() throws Exception {
    MemoryVfs vfs = fileWith(bytes(10, 1)); // operations 1-6: createDirectories, syncDirectory, create, syncDirectory, append, sync
    assertEquals(6, vfs.operationCount());
    vfs.crashAtOperation(8);
    VfsFile f = vfs.open(FILE);
    f.append(new byte[] {1, 2}, 0, 2); // operation 7
    IOException crash = assertThrows(IOException.class, () -> f.sync());
    assertEquals("simulated crash at operation 8: sync " + FILE, crash.getMessage());
    assertThrows(IOException.class, () -> vfs.create(DIR.resolve("late")));
    CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
      try {
        vfs.delete(FILE);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    ExecutionException failed = assertThrows(ExecutionException.class, other::get);
    assertTrue(failed.getCause().getMessage().startsWith("java.io.IOException: simulated crash at operation 8"),
        failed.getCause().getMessage());
    assertEquals(12, content(vfs, FILE).length, "reads keep working; nothing changed after the crash");
    assertFalse(vfs.exists(DIR.resolve("late")));
    assertEquals(10, content(vfs.crashImage(CrashMode.DROP_UNSYNCED, new Random(1)), FILE).length);
    assertEquals("sync f", vfs.operationLog().get(7));
  }

  @Test
  void anImageIsIndependentAndFullyDurable() throws IOException {
    MemoryVfs vfs = fileWith(bytes(10, 1), bytes(5, 2));
    MemoryVfs image = vfs.crashImage(CrashMode.DROP_UNSYNCED, new Random(1));
    try (VfsFile f = image.open(FILE)) {
      f.append(new byte[3], 0, 3);
    }
    assertEquals(15, content(vfs, FILE).length);
    assertEquals(13, content(image, FILE).length);
    assertEquals(0, image.operationCount() - 1, "the image counts its own operations");
    assertEquals(10, content(image.crashImage(CrashMode.DROP_UNSYNCED, new Random(1)), FILE).length,
        "the image's own content was durable; the append after it was not");
  }
}
