package dev.cairn.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** File-tree helpers for benchmark stores: their size on disk, and their removal. */
public final class Directories {
  private Directories() {}

  /** Sum of the sizes of the regular files under {@code dir}. */
  public static long byteCount(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      long byteCount = 0;
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        byteCount += Files.size(path);
      }
      return byteCount;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code dir} and everything under it; does nothing if it does not exist. */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
      for (Path path : deepestFirst) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
