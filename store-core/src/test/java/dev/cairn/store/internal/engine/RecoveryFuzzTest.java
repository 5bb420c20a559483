package dev.cairn.store.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.fuzz.ChecksumRepair;
import dev.cairn.store.internal.fuzz.MemoryVfs;
import dev.cairn.store.internal.index.KeyIndex;
import dev.cairn.store.internal.index.Version;
import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.segment.SegmentRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz test of recovery as a whole: a store directory of fuzzed files (WAL files, segments, a
 * checkpoint, a leftover temporary file) goes through {@link Recovery#run}, and then every value
 * the rebuilt index points to is read from its segment, as {@code Store.get} would. This reaches
 * the parsers the single-file targets do not: the first-record read of history WAL files, the
 * checkpoint's references into segments, and replay across files. The property: recovery succeeds
 * and every indexed value reads back with the key and sequence the index expects, or it fails with
 * {@link CorruptionException} naming a file of the directory. An I/O error cannot happen in memory,
 * so any other throwable, {@code StoreIOException} included, is a finding.
 *
 * <p>Input layout: a sequence of files, each {@code kind u8 | length u16 | bytes}; the i-th file
 * (from 1) gets file number i, and kind % 4 makes it a WAL, a segment, a checkpoint or a
 * {@code .tmp} file. Checksums are repaired before recovery reads the files. Regression inputs:
 * {@code src/test/resources/dev/cairn/store/internal/engine/RecoveryFuzzTestInputs/<method>/}.
 */
class RecoveryFuzzTest {
  private static final Path DIR = Path.of("/fuzz/store");

  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void recoveredDirectoryReadsBackOrFailsAsCorruption(byte[] data) throws IOException {
    MemoryVfs vfs = new MemoryVfs();
    int pos = 0;
    long number = 0;
    while (data.length - pos >= 3) {
      int kind = (data[pos] & 0xFF) % 4;
      int length = Math.min(((data[pos + 1] & 0xFF) << 8) | (data[pos + 2] & 0xFF), data.length - pos - 3);
      byte[] bytes = Arrays.copyOfRange(data, pos + 3, pos + 3 + length);
      pos += 3 + length;
      number++;
      Path path;
      if (kind == 0) {
        path = FileNames.path(DIR, FileNames.Kind.WAL, number);
        ChecksumRepair.wal(bytes);
      } else if (kind == 1) {
        path = FileNames.path(DIR, FileNames.Kind.SEGMENT, number);
        ChecksumRepair.segment(bytes);
      } else if (kind == 2) {
        path = FileNames.path(DIR, FileNames.Kind.CHECKPOINT, number);
        ChecksumRepair.checkpoint(bytes);
      } else {
        path = FileNames.tmp(FileNames.path(DIR, FileNames.Kind.CHECKPOINT, number));
      }
      vfs.create(path).append(bytes, 0, bytes.length);
    }

    KeyIndex index = new KeyIndex();
    Recovery.State state;
    try {
      state = Recovery.run(vfs, DIR, index);
    } catch (CorruptionException e) {
      assertTrue(e.file().startsWith(DIR), "names a file of the store: " + e.file());
      return;
    }
    try {
      assertTrue(state.lastSequence() >= state.flushedSequence(), "replay never goes back");
      for (Map.Entry<byte[], Version> e : index.entries()) {
        Version head = e.getValue();
        if (!head.isStored()) {
          continue;
        }
        Segment segment = head.segment;
        try {
          byte[] raw = segment.readBlock(head.blockOffset);
          // Store.get reads the value like this, and reports a record other than the expected one as corruption.
          SegmentRecord.valueOf(segment, head.blockOffset, raw, head.recordOffset, head.sequence, e.getKey());
        } catch (CorruptionException c) {
          assertEquals(segment.path(), c.file());
        }
      }
    } finally {
      for (Segment s : state.segments()) {
        s.release();
      }
    }
  }
}
