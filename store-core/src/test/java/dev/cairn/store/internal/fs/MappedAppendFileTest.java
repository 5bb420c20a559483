package dev.cairn.store.internal.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MappedAppendFile}: appends land in order across mapping windows, are visible to another
 * handle at once, and the file on disk carries a zero tail while open, which truncate and close cut
 * off. (On Windows the store appends with plain writes.)
 */
@DisabledOnOs(OS.WINDOWS)
class MappedAppendFileTest {
  private static final int WINDOW = MappedAppendFile.MAX_WINDOW_BYTES;

  @TempDir Path tmp;

  @Test
  void appendsAcrossWindows_readBackInOrder_andCloseCutsTheZeroTail() throws IOException {
    Path path = tmp.resolve("log");
    byte[] expected = new byte[2 * WINDOW + 12_345];
    new Random(1).nextBytes(expected);
    VfsFile file = new NioVfs().createMapped(path);
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
    assertTrue(onDisk > expected.length && onDisk <= expected.length + WINDOW, "preallocated by a window: " + onDisk);
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

  @Test
  void truncate_cutsTheFile_andAppendsGoOnFromThere() throws IOException {
    Path path = tmp.resolve("log");
    byte[] bytes = new byte[WINDOW + 100];
    new Random(3).nextBytes(bytes);
    try (VfsFile file = new NioVfs().createMapped(path)) {
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

  @Test
  void aSmallFile_preallocatesLittle() throws IOException {
    Path path = tmp.resolve("log");
    try (VfsFile file = new NioVfs().createMapped(path)) {
      file.append(new byte[100], 0, 100);
      assertEquals(MappedAppendFile.MIN_WINDOW_BYTES, Files.size(path));
      int min = MappedAppendFile.MIN_WINDOW_BYTES;
      file.append(new byte[min], 0, min);
      assertEquals(2L * min, Files.size(path), "the second window, from the first's end, as long as the file before it");
      file.append(new byte[min], 0, min);
      assertEquals(4L * min, Files.size(path), "the third, twice as long");
    }
    assertEquals(100 + 2L * MappedAppendFile.MIN_WINDOW_BYTES, Files.size(path));
  }

  @Test
  void reopened_appendsAfterTheExistingBytes() throws IOException {
    Path path = tmp.resolve("log");
    try (VfsFile file = new NioVfs().createMapped(path)) {
      file.append(new byte[] {1, 2, 3}, 0, 3);
    }
    try (VfsFile file = new NioVfs().openMapped(path)) {
      assertEquals(3, file.size());
      file.append(new byte[] {4, 5}, 0, 2);
    }
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, Files.readAllBytes(path));
  }
}
