package dev.cairn.store.recovery;

import static dev.cairn.store.recovery.CommitModel.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.Store;
import dev.cairn.store.internal.checkpoint.CheckpointFormat;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.recovery.FileLayout.Block;
import dev.cairn.store.recovery.FileLayout.WalSpan;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A length field that claims about 2 GiB (docs/FORMAT.md, "Limits and allocation bounds"): the
 * reader must reject it as corruption, quickly, before allocating anything of that size. The bound
 * is measured: bytes allocated by the opening or reading thread, which is the thread that recovers
 * the store and reads blocks, must stay far below the claimed length. Where a checksum would catch
 * the change anyway, the test recomputes it, so that only the length check stands between the
 * field and an allocation.
 */
class OversizedLengthFieldTest {
  private static final int CLAIMED = 0x7FFFFFF0;
  private static final long ALLOCATION_BOUND = 64L << 20;
  private static final long QUICK_MILLIS = 5_000;

  @TempDir Path tmp;

  private Path original;
  private CommitModel model;

  @BeforeEach
  void writeSegmentedStore() {
    assumeTrue(allocationCounter().isThreadAllocatedMemorySupported()
        && allocationCounter().isThreadAllocatedMemoryEnabled(), "this JVM counts allocated bytes per thread");
    original = tmp.resolve("original");
    model = SegmentedStore.write(original);
  }

  // ---------------------------------------------------------------- WAL

  @Test
  void walRecordClaiming2GiB_followedByAValidRecord_isCorruptionAtThatRecord() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path wal = StoreDirs.newest(trial, StoreDirs.WAL);
    List<WalSpan> records = FileLayout.walRecords(StoreDirs.read(wal));
    WalSpan damaged = records.get(records.size() - 2);
    StoreDirs.overwrite(wal, damaged.offset(), intBytes(CLAIMED));

    CorruptionException e = assertBoundedFailure(() -> Store.open(trial, SegmentedStore.OPTIONS).close());
    assertEquals(wal.getFileName(), e.file().getFileName(), "file() is the WAL");
    assertEquals(damaged.offset(), e.fileOffset(), "fileOffset() is the record claiming 2 GiB");
  }

  @Test
  void lastWalRecordClaiming2GiB_isATornTail_droppedWithoutAllocating() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path wal = StoreDirs.newest(trial, StoreDirs.WAL);
    List<WalSpan> records = FileLayout.walRecords(StoreDirs.read(wal));
    WalSpan last = records.get(records.size() - 1);
    StoreDirs.overwrite(wal, last.offset(), intBytes(CLAIMED));
    long survivor = records.get(records.size() - 2).sequence();

    long allocated = allocatedBy(() -> {
      try (Store store = Store.open(trial, SegmentedStore.OPTIONS)) {
        assertEquals(survivor, store.lastSequence(), "the record claiming 2 GiB is dropped, the one before kept");
        SortedMap<String, byte[]> expected = model.stateAt(survivor);
        for (String key : List.of("tail-0", "tail-1", "tail-2", "bulk-0000", "bulk-0899")) {
          assertArrayEquals(expected.get(key), store.get(utf8(key)), "get(" + key + ")");
        }
      }
    });
    assertTrue(allocated < ALLOCATION_BOUND, "open allocated " + allocated + " bytes");
  }

  // ---------------------------------------------------------------- segment blocks

  @Test
  void segmentBlockClaimingA2GiBRawLength_withAMatchingChecksum_isCorruptionOnRead() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path segment = StoreDirs.files(trial, StoreDirs.SEGMENT).get(0);
    Block block = FileLayout.segment(StoreDirs.read(segment)).blocks().get(0);
    setBlockLength(segment, block, 5, true);

    List<CorruptionException> failures = readEveryKey(trial);
    assertFalse(failures.isEmpty(), "the keys of the damaged block cannot be read");
    for (CorruptionException e : failures) {
      assertEquals(segment.getFileName(), e.file().getFileName(), "file() is the segment");
      assertEquals(block.offset(), e.fileOffset(), "fileOffset() is the damaged block");
    }
  }

  @Test
  void segmentBlockClaimingA2GiBStoredLength_isCorruptionOnRead() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path segment = StoreDirs.files(trial, StoreDirs.SEGMENT).get(0);
    Block block = FileLayout.segment(StoreDirs.read(segment)).blocks().get(0);
    setBlockLength(segment, block, 9, false);

    List<CorruptionException> failures = readEveryKey(trial);
    assertFalse(failures.isEmpty(), "the keys of the damaged block cannot be read");
    for (CorruptionException e : failures) {
      assertEquals(segment.getFileName(), e.file().getFileName(), "file() is the segment");
      assertEquals(block.offset(), e.fileOffset(), "fileOffset() is the damaged block");
    }
  }

  // ---------------------------------------------------------------- checkpoint

  @Test
  void checkpointBlockClaimingA2GiBRawLength_withAMatchingChecksum_isCorruptionAtOpen() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path ckpt = StoreDirs.only(trial, StoreDirs.CHECKPOINT);
    Block block = FileLayout.checkpoint(StoreDirs.read(ckpt)).blocks().get(0);
    setBlockLength(ckpt, block, 5, true);

    CorruptionException e = assertBoundedFailure(() -> Store.open(trial, SegmentedStore.OPTIONS).close());
    assertEquals(ckpt.getFileName(), e.file().getFileName(), "file() is the checkpoint");
    assertEquals(block.offset(), e.fileOffset(), "fileOffset() is the damaged block");
  }

  @Test
  void checkpointMetaClaiming2GiB_isCorruptionAtOpen() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path ckpt = StoreDirs.only(trial, StoreDirs.CHECKPOINT);
    StoreDirs.overwrite(ckpt, CheckpointFormat.HEADER_BYTES, intBytes(CLAIMED));

    CorruptionException e = assertBoundedFailure(() -> Store.open(trial, SegmentedStore.OPTIONS).close());
    assertEquals(ckpt.getFileName(), e.file().getFileName(), "file() is the checkpoint");
    assertEquals(CheckpointFormat.HEADER_BYTES, e.fileOffset(), "fileOffset() is the meta length field");
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Sets the u32 at {@code fieldOffset} of a block header to {@link #CLAIMED}, and if asked
   * recomputes the block checksum over the changed header, so only the length check can object.
   */
  private static void setBlockLength(Path file, Block block, int fieldOffset, boolean fixChecksum) {
    byte[] bytes = StoreDirs.read(file);
    int at = (int) block.offset();
    ByteBuffer.wrap(bytes).putInt(at + fieldOffset, CLAIMED);
    if (fixChecksum) {
      CRC32C crc = new CRC32C();
      crc.update(bytes, at, 13);
      crc.update(bytes, at + SegmentFormat.BLOCK_HEADER_BYTES, block.storedLength());
      ByteBuffer.wrap(bytes).putInt(at + 13, (int) crc.getValue());
    }
    StoreDirs.overwrite(file, at, Arrays.copyOfRange(bytes, at, at + SegmentFormat.BLOCK_HEADER_BYTES));
  }

  /**
   * Opens the store and gets every key: each get returns the model's value or throws
   * CorruptionException; returns those exceptions. The whole pass must be quick and allocate
   * little.
   */
  private List<CorruptionException> readEveryKey(Path trial) {
    List<CorruptionException> failures = new ArrayList<>();
    long started = System.nanoTime();
    long allocated = allocatedBy(() -> {
      try (Store store = Store.open(trial, SegmentedStore.OPTIONS)) {
        for (String key : model.everWritten()) {
          try {
            byte[] value = store.get(utf8(key));
            assertArrayEquals(model.latest().get(key), value, "get(" + key + ") returned a wrong value");
          } catch (CorruptionException e) {
            failures.add(e);
          }
        }
      }
    });
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertTrue(millis < QUICK_MILLIS, "reading every key took " + millis + " ms");
    assertTrue(allocated < ALLOCATION_BOUND, "reading every key allocated " + allocated + " bytes");
    return failures;
  }

  /** Runs {@code action}, which must throw CorruptionException quickly and allocate little; returns it. */
  private static CorruptionException assertBoundedFailure(Runnable action) {
    CorruptionException[] thrown = new CorruptionException[1];
    long started = System.nanoTime();
    long allocated = allocatedBy(() -> thrown[0] = assertThrows(CorruptionException.class, action::run));
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertTrue(millis < QUICK_MILLIS, "failing took " + millis + " ms");
    assertTrue(allocated < ALLOCATION_BOUND, "failing allocated " + allocated + " bytes");
    assertTrue(thrown[0].getMessage().contains(thrown[0].file().getFileName().toString()),
        "the message names the file: " + thrown[0].getMessage());
    return thrown[0];
  }

  /** Bytes allocated by the current thread while {@code action} runs. */
  private static long allocatedBy(Runnable action) {
    long before = allocationCounter().getCurrentThreadAllocatedBytes();
    action.run();
    return allocationCounter().getCurrentThreadAllocatedBytes() - before;
  }

  private static com.sun.management.ThreadMXBean allocationCounter() {
    return (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  }

  private static byte[] intBytes(int v) {
    return ByteBuffer.allocate(4).putInt(v).array();
  }
}
