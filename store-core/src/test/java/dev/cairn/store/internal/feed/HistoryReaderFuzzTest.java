package dev.cairn.store.internal.feed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.fuzz.ChecksumRepair;
import dev.cairn.store.internal.fuzz.MemoryVfs;
import dev.cairn.store.internal.wal.WalReader;
import dev.cairn.store.internal.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz test of the change-history reader ({@link HistoryReader}), which parses WAL records on its
 * own, in chunks, for change cursors. The fuzzer's bytes are one published WAL file of the history
 * (checksums repaired, so that records get past their CRC). The property: the reader returns
 * commits with consecutive sequences, or fails with {@link CorruptionException} naming the file
 * and an offset inside it; and where recovery's {@link WalReader} accepts the file as a complete
 * WAL with sequences 1, 2, 3..., the history reader returns exactly the same commits.
 *
 * <p>Regression inputs: {@code
 * src/test/resources/dev/cairn/store/internal/feed/HistoryReaderFuzzTestInputs/<method>/}.
 */
class HistoryReaderFuzzTest {
  private static final Path PATH = Path.of("/fuzz/00000000000000000001.wal");

  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void historyReadsCommitsLikeRecoveryOrFailsAsCorruption(byte[] data) throws IOException {
    byte[] file = ChecksumRepair.wal(data);
    List<WalRecord> commits = new ArrayList<>();
    boolean failed = false;
    WalHistory history = new WalHistory("fuzz", new WalHistory.Published(1, file.length, 0));
    history.added(1, PATH, 1);
    try (HistoryReader reader = new HistoryReader(MemoryVfs.of(PATH, file), history, 0)) {
      for (WalRecord r = reader.next(); r != null; r = reader.next()) {
        assertEquals(commits.size() + 1, r.sequence(), "history sequences are consecutive");
        commits.add(r);
        assertTrue(commits.size() <= file.length, "more commits than bytes");
      }
    } catch (CorruptionException e) {
      assertEquals(PATH, e.file());
      assertTrue(e.fileOffset() >= 0 && e.fileOffset() <= file.length, "offset " + e.fileOffset());
      failed = true;
    }
    WalReader.Result recovered;
    try {
      recovered = WalReader.read(PATH, file, false, 0);
    } catch (CorruptionException e) {
      return;
    }
    List<WalRecord> records = recovered.records();
    for (int i = 0; i < records.size(); i++) {
      if (records.get(i).sequence() != i + 1) {
        return;
      }
    }
    assertTrue(!failed, "the history reader rejected a WAL that recovery accepts");
    assertEquals(records.size(), commits.size(), "commit count");
    for (int i = 0; i < records.size(); i++) {
      WalRecord expected = records.get(i);
      WalRecord actual = commits.get(i);
      assertEquals(expected.size(), actual.size());
      for (int op = 0; op < expected.size(); op++) {
        assertArrayEquals(expected.key(op), actual.key(op));
        assertArrayEquals(expected.value(op), actual.value(op));
      }
    }
  }
}
