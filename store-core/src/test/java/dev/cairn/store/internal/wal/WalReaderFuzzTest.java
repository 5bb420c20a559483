package dev.cairn.store.internal.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.store.CorruptionException;
import dev.cairn.store.WriteBatch;
import dev.cairn.store.internal.fuzz.ChecksumRepair;
import dev.cairn.store.internal.fuzz.MemoryVfs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz tests of {@link WalReader}, read through an in-memory file as recovery reads it. The property:
 * a WAL file either reads as records or fails with {@link CorruptionException} naming the file and
 * an offset inside it; any other throwable, or a hang, is a finding. A result must also be
 * self-consistent: the file cut at {@code validEnd} reads back as the same records with no tail.
 *
 * <p>Without {@code JAZZER_FUZZ} each method runs once per input under
 * {@code src/test/resources/dev/cairn/store/internal/wal/WalReaderFuzzTestInputs/<method>/}, as a
 * regression test; {@code store-core/fuzz} runs the fuzzer on each method.
 */
class WalReaderFuzzTest {
  private static final Path PATH = Path.of("/fuzz/00000000000000000001.wal");

  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void arbitraryBytesReadAsRecordsOrFailAsCorruption(byte[] file) throws IOException {
    checkBothWays(file);
  }

  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void walWithRepairedChecksumsReadsAsRecordsOrFailsAsCorruption(byte[] file) throws IOException {
    checkBothWays(ChecksumRepair.wal(file));
  }

  /**
   * Round trip and torn tails: a WAL written by {@link WalRecord} reads back equal; cut anywhere,
   * it reads back as the records before the cut (as the newest WAL) or fails at the cut (as an
   * older one); a damaged byte is never read as data; garbage after it never hides a record.
   */
  @Timeout(10)
  @FuzzTest(maxDuration = "60s")
  void writtenWalReadsBackAcrossCutsDamageAndGarbage(FuzzedDataProvider data) throws IOException {
    long previousSequence = data.consumeLong(0, 1L << 40);
    List<WalRecord> written = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(WalFormat.header());
    int recordCount = data.consumeInt(0, 6);
    for (int i = 0; i < recordCount; i++) {
      WriteBatch batch = WriteBatch.create();
      int ops = data.consumeInt(0, 4);
      for (int j = 0; j < ops; j++) {
        byte[] key = data.consumeBytes(data.consumeInt(0, 24));
        if (data.consumeBoolean()) {
          batch.put(key, data.consumeBytes(data.consumeInt(0, 200)));
        } else {
          batch.delete(key);
        }
      }
      WalRecord record = WalRecord.encode(batch);
      record.seal(previousSequence + 1 + i);
      starts.add(out.size());
      written.add(record);
      out.writeBytes(record.bytes());
    }
    byte[] whole = out.toByteArray();
    starts.add(whole.length);

    int mode = data.consumeInt(0, 3);
    if (mode == 0) {
      assertReads(written, read(whole, true, previousSequence), whole.length, false);
      assertReads(written, read(whole, false, previousSequence), whole.length, false);
    } else if (mode == 1) {
      int cut = data.consumeInt(0, whole.length);
      byte[] file = Arrays.copyOf(whole, cut);
      int kept = 0;
      while (kept < written.size() && starts.get(kept + 1) <= cut) {
        kept++;
      }
      int boundary = starts.get(kept);
      if (cut < WalFormat.HEADER_BYTES) {
        assertReads(List.of(), read(file, true, previousSequence), 0, true);
        expectCorruption(file, false, previousSequence);
      } else if (cut == boundary) {
        assertReads(written.subList(0, kept), read(file, true, previousSequence), cut, false);
        assertReads(written.subList(0, kept), read(file, false, previousSequence), cut, false);
      } else {
        long lastSequence = previousSequence + kept;
        if (validRecordAfter(file, boundary, lastSequence)) {
          expectCorruption(file, true, previousSequence);
        } else {
          assertReads(written.subList(0, kept), read(file, true, previousSequence), boundary, true);
        }
        assertEquals(boundary, expectCorruption(file, false, previousSequence).fileOffset());
      }
    } else if (mode == 2) {
      if (whole.length == 0) {
        return;
      }
      byte[] file = whole.clone();
      int at = data.consumeInt(0, file.length - 1);
      file[at] ^= (byte) data.consumeInt(1, 255);
      int damaged = 0;
      while (damaged < written.size() && starts.get(damaged + 1) <= at) {
        damaged++;
      }
      expectCorruption(file, false, previousSequence);
      try {
        WalReader.Result r = read(file, true, previousSequence);
        assertTrue(at >= WalFormat.HEADER_BYTES, "a damaged header was read as a WAL");
        assertReads(written.subList(0, damaged), r, starts.get(damaged), true);
      } catch (CorruptionException e) {
        assertEquals(PATH, e.file());
      }
    } else {
      byte[] garbage = data.consumeRemainingAsBytes();
      byte[] file = Arrays.copyOf(whole, whole.length + garbage.length);
      System.arraycopy(garbage, 0, file, whole.length, garbage.length);
      for (boolean newest : new boolean[] {true, false}) {
        try {
          WalReader.Result r = read(file, newest, previousSequence);
          assertTrue(r.records().size() >= written.size(), "garbage hid a written record");
          assertSameRecords(written, r.records().subList(0, written.size()));
        } catch (CorruptionException e) {
          assertTrue(e.fileOffset() >= whole.length, "intact records reported damaged: " + e.getMessage());
        }
      }
    }
  }

  private static void checkBothWays(byte[] file) throws IOException {
    for (boolean newest : new boolean[] {true, false}) {
      WalReader.Result r;
      try {
        r = read(file, newest, 0);
      } catch (CorruptionException e) {
        assertEquals(PATH, e.file());
        assertTrue(e.fileOffset() >= 0 && e.fileOffset() <= file.length, "offset " + e.fileOffset());
        continue;
      }
      assertTrue(r.validEnd() >= 0 && r.validEnd() <= file.length, "validEnd " + r.validEnd());
      if (!r.tornTail()) {
        assertEquals(file.length, r.validEnd(), "a WAL without a torn tail is valid to its end");
      }
      if (!newest) {
        assertFalse(r.tornTail(), "an older WAL has no torn tail");
      }
      long last = 0;
      for (WalRecord record : r.records()) {
        assertTrue(record.sequence() > last, "sequence " + record.sequence() + " after " + last);
        last = record.sequence();
      }
      if (r.validEnd() >= WalFormat.HEADER_BYTES) {
        WalReader.Result cut = read(Arrays.copyOf(file, (int) r.validEnd()), false, 0);
        assertSameRecords(r.records(), cut.records());
        assertFalse(cut.tornTail());
      }
    }
  }

  private static WalReader.Result read(byte[] file, boolean newest, long previousSequence) throws IOException {
    MemoryVfs vfs = MemoryVfs.of(PATH, file);
    return WalReader.read(PATH, vfs.open(PATH), newest, previousSequence);
  }

  private static CorruptionException expectCorruption(byte[] file, boolean newest, long previousSequence)
      throws IOException {
    try {
      WalReader.Result r = read(file, newest, previousSequence);
      fail("read " + r.records().size() + " records, expected corruption");
      return null;
    } catch (CorruptionException e) {
      assertEquals(PATH, e.file());
      return e;
    }
  }

  /** The recovery rule: a valid record with a higher sequence starts after {@code from}. */
  private static boolean validRecordAfter(byte[] file, int from, long lastSequence) {
    for (int pos = from + 1; pos < file.length; pos++) {
      if (WalReader.tryRecordAt(file, pos, lastSequence) != null) {
        return true;
      }
    }
    return false;
  }

  private static void assertReads(List<WalRecord> expected, WalReader.Result r, long validEnd, boolean tornTail) {
    assertSameRecords(expected, r.records());
    assertEquals(validEnd, r.validEnd(), "validEnd");
    assertEquals(tornTail, r.tornTail(), "tornTail");
  }

  private static void assertSameRecords(List<WalRecord> expected, List<WalRecord> actual) {
    assertEquals(expected.size(), actual.size(), "record count");
    for (int i = 0; i < expected.size(); i++) {
      WalRecord e = expected.get(i);
      WalRecord a = actual.get(i);
      assertEquals(e.sequence(), a.sequence());
      assertEquals(e.size(), a.size());
      for (int op = 0; op < e.size(); op++) {
        assertArrayEquals(e.key(op), a.key(op));
        assertArrayEquals(e.value(op), a.value(op));
      }
    }
  }
}
