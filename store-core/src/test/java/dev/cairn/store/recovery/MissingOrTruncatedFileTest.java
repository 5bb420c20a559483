package dev.cairn.store.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.Store;
import dev.cairn.store.internal.segment.SegmentFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files that a checkpoint relies on are missing or the wrong length (docs/FORMAT.md, "Recovery"):
 * a segment has no torn state and the newest checkpoint is never partial, so each case is a
 * {@link CorruptionException} naming the file, and the failed open deletes nothing.
 */
class MissingOrTruncatedFileTest {
  @TempDir Path tmp;

  private Path original;
  private List<Path> segments;
  private Path checkpoint;

  @BeforeEach
  void writeSegmentedStore() {
    original = tmp.resolve("original");
    SegmentedStore.write(original);
    segments = StoreDirs.files(original, StoreDirs.SEGMENT);
    checkpoint = StoreDirs.only(original, StoreDirs.CHECKPOINT);
    assertEquals(
        segments.stream().map(p -> p.getFileName().toString()).collect(Collectors.toList()),
        FileLayout.checkpointSegments(StoreDirs.read(checkpoint)).stream()
            .map(n -> String.format("%020d.seg", n)).collect(Collectors.toList()),
        "the checkpoint lists exactly the segments in the directory");
  }

  @Test
  void segmentListedByTheCheckpointButDeleted_isCorruptionNamingTheMissingSegment() {
    for (Path segment : segments) {
      String name = segment.getFileName().toString();
      CorruptionException e = openDamagedCopy("missing-" + name, name, StoreDirs::deleteFile);
      assertEquals(name, e.file().getFileName().toString(), "file() is the missing segment");
      assertTrue(e.getMessage().contains(name) && e.getMessage().contains("missing"),
          "message names the missing segment: " + e.getMessage());
    }
  }

  @Test
  void truncatedSegment_isCorruptionAtTheCut() {
    for (Path segment : segments) {
      String name = segment.getFileName().toString();
      long length = StoreDirs.read(segment).length;
      for (long cut : List.of(0L, 10L, (long) SegmentFormat.HEADER_BYTES, length / 2,
          length - SegmentFormat.FOOTER_BYTES, length - 1)) {
        CorruptionException e =
            openDamagedCopy("cut-" + cut + "-" + name, name, f -> StoreDirs.truncate(f, cut));
        assertEquals(name, e.file().getFileName().toString(), "file() is the truncated segment");
        assertEquals(cut, e.fileOffset(), "fileOffset() is where " + name + " now ends");
        assertTrue(e.getMessage().contains(name), "message names the segment: " + e.getMessage());
      }
    }
  }

  @Test
  void segmentLongerThanTheCheckpointRecorded_isCorruption() {
    Path segment = segments.get(0);
    String name = segment.getFileName().toString();
    long length = StoreDirs.read(segment).length;
    CorruptionException e = openDamagedCopy("longer", name, f -> StoreDirs.overwrite(f, length, new byte[1]));
    assertEquals(name, e.file().getFileName().toString(), "file() is the segment");
    assertEquals(length, e.fileOffset(), "fileOffset() is the recorded length");
  }

  @Test
  void truncatedCheckpoint_isCorruptionNamingTheCheckpoint() {
    String name = checkpoint.getFileName().toString();
    long length = StoreDirs.read(checkpoint).length;
    for (long cut : List.of(0L, 10L, 24L, length / 2, length - 32, length - 1)) {
      CorruptionException e = openDamagedCopy("cut-" + cut + "-" + name, name, f -> StoreDirs.truncate(f, cut));
      assertEquals(name, e.file().getFileName().toString(), "file() is the truncated checkpoint");
      assertTrue(e.fileOffset() >= 0 && e.fileOffset() <= cut,
          "fileOffset() " + e.fileOffset() + " is within the file");
      assertTrue(e.getMessage().contains(name), "message names the checkpoint: " + e.getMessage());
    }
  }

  /**
   * Copies the store, damages file {@code name} of the copy, and asserts that open throws
   * CorruptionException and leaves every file in place. Returns the exception.
   */
  private CorruptionException openDamagedCopy(String trialName, String name, Consumer<Path> damage) {
    Path trial = StoreDirs.copy(original, tmp.resolve(trialName));
    damage.accept(trial.resolve(name));
    List<String> before = StoreDirs.names(trial);
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> Store.open(trial, SegmentedStore.OPTIONS).close(), trialName + ": open with " + name + " damaged");
    assertEquals(trial.toAbsolutePath().normalize(), e.file().toAbsolutePath().normalize().getParent(),
        trialName + ": file() is in the store directory");
    assertEquals(before, StoreDirs.names(trial), trialName + ": a failed open deletes nothing");
    return e;
  }
}
