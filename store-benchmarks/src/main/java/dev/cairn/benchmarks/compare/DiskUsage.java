package dev.cairn.benchmarks.compare;

import dev.cairn.benchmarks.Directories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Bytes a store takes on disk: the blocks allocated to its files ({@code du -s -B1}), which counts
 * preallocated but sparse files (LMDB, Chronicle Map) by what they really use. Falls back to the sum
 * of file sizes when {@code du} is not available.
 */
final class DiskUsage {
  private DiskUsage() {}

  static long allocatedBytes(Path dir) {
    try {
      Process du = new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
      String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (du.waitFor(60, TimeUnit.SECONDS) && du.exitValue() == 0) {
        return Long.parseLong(out.split("\\s+")[0]);
      }
    } catch (IOException | NumberFormatException e) {
      // fall through to the sum of file sizes
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Directories.byteCount(dir);
  }

  /** The sum of the apparent sizes of the files under {@code dir}. */
  static long apparentBytes(Path dir) {
    return Directories.byteCount(dir);
  }
}
