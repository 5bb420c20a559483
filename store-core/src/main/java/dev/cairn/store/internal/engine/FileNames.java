package dev.cairn.store.internal.engine;

import dev.cairn.store.internal.checkpoint.CheckpointFormat;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.wal.WalFormat;
import java.nio.file.Path;

/**
 * Names of the files in a store directory: {@code LOCK}, and {@code NNNNNNNNNNNNNNNNNNNN.wal},
 * {@code .seg} and {@code .ckpt} files numbered by one counter shared by all kinds (20 decimal
 * digits, so names sort by number). Temporary files end in {@code .tmp}.
 */
final class FileNames {
  static final String LOCK = "LOCK";
  static final String TMP_SUFFIX = ".tmp";

  /** The kinds of numbered files. */
  enum Kind {
    WAL(WalFormat.SUFFIX),
    SEGMENT(SegmentFormat.SUFFIX),
    CHECKPOINT(CheckpointFormat.SUFFIX);

    final String suffix;

    Kind(String suffix) {
      this.suffix = suffix;
    }
  }

  private FileNames() {}

  static Path path(Path dir, Kind kind, long number) {
    return dir.resolve(String.format("%020d", number) + kind.suffix);
  }

  static Path tmp(Path file) {
    return file.resolveSibling(file.getFileName() + TMP_SUFFIX);
  }

  /** The number of a file of {@code kind} named {@code name}, or -1 if the name is not of that kind. */
  static long parse(String name, Kind kind) {
    if (!name.endsWith(kind.suffix) || name.length() != 20 + kind.suffix.length()) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < 20; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
