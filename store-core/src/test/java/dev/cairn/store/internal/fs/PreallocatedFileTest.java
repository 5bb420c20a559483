package dev.cairn.store.internal.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PreallocatedFile}, mapped and positional: appends land in order across windows, are
 * visible to another handle at once, and the file on disk carries a zero tail while open, which
 * truncate and close cut off; a sync is a full fsync only when the file's length changed, and a mapped
 * file's sync unmaps the windows that are full. A mapped file preallocates its next window ahead,
 * in the background, but never after a truncate or close. (On Windows the store appends with plain
 * writes.)
 */
@DisabledOnOs(OS.WINDOWS)
class PreallocatedFileTest {
  private static final int WINDOW = PreallocatedFile.MAX_WINDOW_BYTES;

  @TempDir Path tmp;

  /**
   * Where the files most tests make prepare windows: nowhere, so that the file on disk shows the
   * appends' own preallocation at every step.
   */
  private static final Executor NO_PREPARATION = task -> { };

  private static PreallocatedFile create(Path path, boolean mapped) throws IOException {
    return create(path, mapped, NO_PREPARATION);
  }

  private static PreallocatedFile create(Path path, boolean mapped, Executor background) throws IOException {
    Files.createFile(path);
    return new PreallocatedFile(path, mapped, background);
  }

  /** Through the {@link NioVfs}, as the store reopens its newest WAL. */
  private static VfsFile open(Path path, boolean mapped) throws IOException {
    return mapped ? new NioVfs().openMapped(path) : new NioVfs().openPreallocated(path);
  }

  @ParameterizedTest(name = "mapped: {0}")
  @ValueSource(booleans = {true, false})
  void appendsAcrossWindows_readBackInOrder_andCloseCutsTheZeroTail(boolean mapped) throws IOException {
    Path path = tmp.resolve("log");
    byte[] expected = new byte[2 * WINDOW + 12_345];
    new Random(1).nextBytes(expected);
    VfsFile file = create(path, mapped);
    int at = 0;
    Random sizes = new Random(2);
    while (at < expected.length) {
      // Pieces of up to 1.5 windows: some straddle a window's end, some span one whole.
      int n = Math.min(expected.length - at, sizes.nextInt(3) == 0 ? sizes.nextInt(WINDOW * 3 / 2) : sizes.nextInt(300));
      file.append(expected, at, n);
      at += n;
      assertEquals(at, file.size(), "size() is the bytes appended");
    }
    long onDisk = Files.size(path);
    int window = mapped ? PreallocatedFile.MAX_WINDOW_BYTES : PreallocatedFile.MAX_POSITIONAL_WINDOW_BYTES;
    assertTrue(onDisk > expected.length && onDisk <= expected.length + window, "preallocated by a window: " + onDisk);
    byte[] viaOtherHandle = Files.readAllBytes(path);
    assertArrayEquals(expected, Arrays.copyOf(viaOtherHandle, expected.length), "appends are in the page cache");
    for (int i = expected.length; i < viaOtherHandle.length; i++) {
      assertEquals(0, viaOtherHandle[i], "the tail is zeros, at " + i);
    }
    byte[] middle = new byte[1000];
    file.read(WINDOW - 500, middle, 0, middle.length);
    assertArrayEquals(Arrays.copyOfRange(expected, WINDOW - 500, WINDOW + 500), middle);
    assertThrows(EOFException.class, () -> file.read(expected.length - 1, new byte[2], 0, 2),
        "a read past the bytes appended, into the tail");
    file.sync();
    file.close();
    assertArrayEquals(expected, Files.readAllBytes(path), "closed, the file is exactly what was appended");
    assertThrows(IOException.class, () -> file.append(new byte[1], 0, 1), "append after close");
  }

  @ParameterizedTest(name = "mapped: {0}")
  @ValueSource(booleans = {true, false})
  void truncate_cutsTheFile_andAppendsGoOnFromThere(boolean mapped) throws IOException {
    Path path = tmp.resolve("log");
    byte[] bytes = new byte[WINDOW + 100];
    new Random(3).nextBytes(bytes);
    try (VfsFile file = create(path, mapped)) {
      file.append(bytes, 0, bytes.length);
      file.truncate(10);
      assertEquals(10, Files.size(path), "truncate cuts the tail too");
      file.append(bytes, 500, 20);
      file.sync();
    }
    byte[] expected = new byte[30];
    System.arraycopy(bytes, 0, expected, 0, 10);
    System.arraycopy(bytes, 500, expected, 10, 20);
    assertArrayEquals(expected, Files.readAllBytes(path));
  }

  @ParameterizedTest(name = "mapped: {0}")
  @ValueSource(booleans = {true, false})
  void aSmallFile_preallocatesLittle(boolean mapped) throws IOException {
    Path path = tmp.resolve("log");
    try (VfsFile file = create(path, mapped)) {
      file.append(new byte[100], 0, 100);
      assertEquals(PreallocatedFile.MIN_WINDOW_BYTES, Files.size(path));
      int min = PreallocatedFile.MIN_WINDOW_BYTES;
      file.append(new byte[min], 0, min);
      assertEquals(2L * min, Files.size(path), "the second window, from the first's end, as long as the file before it");
      file.append(new byte[min], 0, min);
      assertEquals(4L * min, Files.size(path), "the third, twice as long");
    }
    assertEquals(100 + 2L * PreallocatedFile.MIN_WINDOW_BYTES, Files.size(path));
  }

  @ParameterizedTest(name = "mapped: {0}")
  @ValueSource(booleans = {true, false})
  void reopened_appendsAfterTheExistingBytes(boolean mapped) throws IOException {
    Path path = tmp.resolve("log");
    try (VfsFile file = create(path, mapped)) {
      file.append(new byte[] {1, 2, 3}, 0, 3);
    }
    try (VfsFile file = open(path, mapped)) {
      assertEquals(3, file.size());
      file.append(new byte[] {4, 5}, 0, 2);
    }
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, Files.readAllBytes(path));
  }

  @ParameterizedTest(name = "mapped: {0}")
  @ValueSource(booleans = {true, false})
  void sync_isAFullFsyncOnlyWhenTheLengthChanged(boolean mapped) throws IOException {
    Path path = tmp.resolve("log");
    int min = PreallocatedFile.MIN_WINDOW_BYTES;
    try (PreallocatedFile file = create(path, mapped)) {
      file.append(new byte[100], 0, 100);
      file.sync();
      assertEquals(1, file.fullSyncs(), "the first window changed the length");
      file.append(new byte[100], 0, 100);
      file.sync();
      file.sync();
      assertEquals(1, file.fullSyncs(), "appends within the window: fdatasyncs");
      file.append(new byte[min], 0, min);
      file.sync();
      assertEquals(2, file.fullSyncs(), "a new window");
      file.truncate(150);
      file.sync();
      assertEquals(3, file.fullSyncs(), "after a truncate");
      file.append(new byte[10], 0, 10);
      file.sync();
      assertEquals(4, file.fullSyncs(), "the truncate cut the tail: this append preallocated again");
      file.append(new byte[10], 0, 10);
      file.sync();
      assertEquals(4, file.fullSyncs());
    }
  }

  @Test
  void mappedSync_unmapsTheFullWindows_andAppendsAndReadsGoOn() throws IOException {
    Path path = tmp.resolve("log");
    int min = PreallocatedFile.MIN_WINDOW_BYTES;
    byte[] expected = new byte[5 * min + 777];
    new Random(3).nextBytes(expected);
    try (PreallocatedFile file = create(path, true)) {
      int half = 3 * min + 100; // windows [0, 64K), [64K, 128K), [128K, 256K): two full, one taking appends
      file.append(expected, 0, half);
      assertEquals(3, file.mappedWindows());
      file.sync();
      assertEquals(1, file.mappedWindows(), "only the window taking appends stays mapped");
      assertEquals(1, file.fullSyncs(), "an fsync: the length changed, and the unmapped pages are in no msync's range");
      file.append(expected, half, expected.length - half); // fills the last window and maps the next
      byte[] back = new byte[expected.length];
      file.read(0, back, 0, back.length);
      assertArrayEquals(expected, back);
      file.sync();
      assertEquals(1, file.mappedWindows());
      assertEquals(2, file.fullSyncs());
      file.append(expected, 0, 10);
      file.sync();
      assertEquals(2, file.fullSyncs(), "appends within the last window: an msync of their range");
    }
    byte[] onDisk = Files.readAllBytes(path);
    assertEquals(expected.length + 10, onDisk.length, "close cut the zero tail");
    assertArrayEquals(expected, Arrays.copyOf(onDisk, expected.length));
  }

  @Test
  void aMappedFile_preallocatesItsNextWindowAhead_andTheAppendThatReachesItOnlyMapsIt() throws IOException {
    Path path = tmp.resolve("log");
    int min = PreallocatedFile.MIN_WINDOW_BYTES;
    List<Runnable> preparations = new ArrayList<>();
    byte[] expected = new byte[min + 300];
    new Random(4).nextBytes(expected);
    try (PreallocatedFile file = create(path, true, preparations::add)) {
      file.append(expected, 0, 100);
      assertEquals(min, Files.size(path), "the first window, written by the append");
      assertEquals(1, preparations.size(), "mapping it asked for the next");
      preparations.remove(0).run();
      assertEquals(2L * min, Files.size(path), "the second window, as long as the file before it");
      file.sync();
      assertEquals(1, file.fullSyncs());

      file.append(expected, 100, expected.length - 100); // into the second window
      assertEquals(2L * min, Files.size(path), "no zeros written: the window was ready");
      assertEquals(1, preparations.size(), "the third window is asked for");
      byte[] back = new byte[expected.length];
      file.read(0, back, 0, back.length);
      assertArrayEquals(expected, back);
      preparations.remove(0).run();
      assertEquals(4L * min, Files.size(path));
    }
    assertArrayEquals(expected, Files.readAllBytes(path), "close cut the prepared tail");
  }

  @Test
  void aPreparationThatRunsAfterTruncateOrClose_leavesTheFileAsTheyCutIt() throws IOException {
    List<Runnable> preparations = new ArrayList<>();
    Path truncated = tmp.resolve("truncated");
    try (PreallocatedFile file = create(truncated, true, preparations::add)) {
      file.append(new byte[100], 0, 100);
      file.truncate(10); // as a WAL is sealed
      preparations.remove(0).run();
      assertEquals(10, Files.size(truncated), "a sealed WAL must end where its records do");
    }
    Path closed = tmp.resolve("closed");
    PreallocatedFile file = create(closed, true, preparations::add);
    file.append(new byte[100], 0, 100);
    file.close();
    preparations.remove(0).run();
    assertEquals(100, Files.size(closed));
  }

  @Test
  void aMappedFileOfTheVfs_preallocatesItsNextWindowOnTheBackgroundThread() throws Exception {
    Path path = tmp.resolve("log");
    int min = PreallocatedFile.MIN_WINDOW_BYTES;
    try (VfsFile file = new NioVfs().createMapped(path)) {
      file.append(new byte[100], 0, 100);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (Files.size(path) < 2L * min && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertEquals(2L * min, Files.size(path), "the second window, written without another append");
    }
    assertEquals(100, Files.size(path));
  }

  @Test
  void positionalSync_withTheThreadInterrupted_syncsAndKeepsTheInterrupt() throws IOException {
    Path path = tmp.resolve("log");
    try (VfsFile file = new NioVfs().createPreallocated(path)) {
      file.append(new byte[] {1}, 0, 1);
      file.sync(); // the full fsync; the next is an fdatasync through the channel
      file.append(new byte[] {2}, 0, 1);
      Thread.currentThread().interrupt();
      try {
        file.sync();
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
      } finally {
        Thread.interrupted();
      }
      file.append(new byte[] {3}, 0, 1);
      file.sync();
    }
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(path));
  }
}
