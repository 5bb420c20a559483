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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ReadChannel} through {@link NioVfs}' files: concurrent positional reads return the open
 * file's bytes while other threads interrupt the readers, even once its path is deleted or names
 * another file; each interrupted reader keeps its interrupt; a read past the end or after close
 * fails.
 */
class ReadChannelTest {
  @TempDir Path tmp;

  private static byte[] content(int length) {
    byte[] b = new byte[length];
    new Random(1).nextBytes(b);
    return b;
  }

  /** What happens to the file's path once it is open. */
  enum PathAfterOpen { KEPT, DELETED, REPLACED }

  @ParameterizedTest(name = "path {0}")
  @EnumSource(PathAfterOpen.class)
  void readsReturnTheOpenFilesBytes_whileReadersAreInterrupted_andKeepTheirInterrupt(PathAfterOpen after)
      throws Exception {
    Path path = tmp.resolve("f");
    byte[] expected = content(1 << 20);
    Files.write(path, expected);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger interruptedReads = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    try (VfsFile file = new NioVfs().open(path)) {
      if (after != PathAfterOpen.KEPT) {
        Files.delete(path);
      }
      if (after == PathAfterOpen.REPLACED) {
        Files.write(path, new byte[expected.length]); // zeros: a reopen by path would read them
      }
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        readers.add(new Thread(() -> {
          Random random = new Random(seed);
          byte[] dst = new byte[4096];
          try {
            while (!stop.get()) {
              int at = random.nextInt(expected.length - dst.length);
              int length = 1 + random.nextInt(dst.length);
              boolean wasInterrupted = Thread.interrupted();
              if (wasInterrupted) {
                Thread.currentThread().interrupt(); // read with the interrupt pending
              }
              file.read(at, dst, 0, length);
              if (wasInterrupted) {
                assertTrue(Thread.interrupted(), "the interrupt is kept");
                interruptedReads.incrementAndGet();
              }
              assertArrayEquals(Arrays.copyOfRange(expected, at, at + length), Arrays.copyOf(dst, length));
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }));
      }
      readers.forEach(Thread::start);
      Random random = new Random(9);
      long deadline = System.nanoTime() + 1_000_000_000L;
      while (System.nanoTime() < deadline && failure.get() == null) {
        readers.get(random.nextInt(readers.size())).interrupt();
        Thread.sleep(0, 200_000);
      }
      stop.set(true);
      for (Thread r : readers) {
        r.join();
      }
    }
    if (failure.get() != null) {
      throw new AssertionError("a reader failed", failure.get());
    }
    assertTrue(interruptedReads.get() > 100, "reads made with an interrupt pending: " + interruptedReads.get());
  }

  @Test
  void aReadPastTheEndFails_andSoDoesAReadAfterClose() throws IOException {
    Path path = tmp.resolve("f");
    Files.write(path, content(100));
    VfsFile file = new NioVfs().open(path);
    byte[] dst = new byte[10];
    file.read(90, dst, 0, 10);
    assertArrayEquals(Arrays.copyOfRange(content(100), 90, 100), dst);
    assertThrows(EOFException.class, () -> file.read(95, dst, 0, 10));
    file.close();
    IOException e = assertThrows(IOException.class, () -> file.read(0, dst, 0, 10));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  @Test
  void aReadSeesWhatTheSameFileAppendedBeforeIt() throws IOException {
    try (VfsFile file = new NioVfs().create(tmp.resolve("f"))) {
      byte[] dst = new byte[3];
      for (int i = 0; i < 50; i++) {
        file.append(new byte[] {(byte) i, (byte) (i + 1), (byte) (i + 2)}, 0, 3);
        file.read(3L * i, dst, 0, 3);
        assertArrayEquals(new byte[] {(byte) i, (byte) (i + 1), (byte) (i + 2)}, dst);
      }
      assertEquals(150, file.size());
    }
  }
}
