package dev.cairn.store.recovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * File-level helpers for the recovery suites: copying a store directory, finding its files by
 * kind, and damaging them in place (truncating, overwriting bytes). The store is always closed
 * while these run; each trial damages its own copy, never the original.
 */
final class StoreDirs {
  static final String WAL = ".wal";
  static final String SEGMENT = ".seg";
  static final String CHECKPOINT = ".ckpt";

  private StoreDirs() {}

  /** Copies every file of {@code from} into {@code to}, which must not exist yet. */
  static Path copy(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.collect(Collectors.toList())) {
        Files.copy(source, to.resolve(from.relativize(source).toString()));
      }
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code dir} and everything in it. */
  static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The files of {@code dir} whose names end in {@code suffix}, in name (that is, number) order. */
  static List<Path> files(Path dir, String suffix) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The only file of {@code dir} ending in {@code suffix}; fails if there is not exactly one. */
  static Path only(Path dir, String suffix) {
    List<Path> found = files(dir, suffix);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + suffix + " file in " + dir + ", found " + found);
    }
    return found.get(0);
  }

  /** The highest-numbered file of {@code dir} ending in {@code suffix} (for WALs: the newest). */
  static Path newest(Path dir, String suffix) {
    List<Path> found = files(dir, suffix);
    if (found.isEmpty()) {
      throw new AssertionError("no " + suffix + " file in " + dir);
    }
    return found.get(found.size() - 1);
  }

  static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes one file. */
  static void deleteFile(Path file) {
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The names of the files in {@code dir}, sorted. */
  static List<String> names(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates {@code file} holding {@code bytes}. */
  static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes, StandardOpenOption.CREATE_NEW);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Cuts {@code file} to {@code byteCount} bytes. */
  static void truncate(Path file, long byteCount) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(byteCount);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Overwrites {@code bytes.length} bytes of {@code file} at {@code fileOffset}. */
  static void overwrite(Path file, long fileOffset, byte[] bytes) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf, fileOffset + buf.position());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Inverts every bit of the byte at {@code fileOffset}. */
  static void flipByte(Path file, long fileOffset) {
    byte[] one = new byte[1];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.read(ByteBuffer.wrap(one), fileOffset) != 1) {
        throw new IllegalArgumentException(file + " has no byte at " + fileOffset);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    overwrite(file, fileOffset, new byte[] {(byte) ~one[0]});
  }
}
