package dev.cairn.store.recovery;

import static dev.cairn.store.testing.Op.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.store.Compression;
import dev.cairn.store.CorruptionException;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.checkpoint.CheckpointFormat;
import dev.cairn.store.internal.segment.BlockCodec;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

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
    byte[] bytes = StoreDirs.read(wal);
    List<WalSpan> spans = FileLayout.walSpans(bytes);
    WalSpan last = spans.get(spans.size() - 1); // a commit, or a durability mark after the last one
    long survivor = FileLayout.walRecords(bytes).stream()
        .filter(r -> r.offset() < last.offset()).mapToLong(WalSpan::sequence).max().orElseThrow();
    StoreDirs.overwrite(wal, last.offset(), intBytes(CLAIMED));

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

    assertReadsFailAtBlock(trial, segment, block);
  }

  @Test
  void segmentBlockClaimingA2GiBStoredLength_isCorruptionOnRead() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path segment = StoreDirs.files(trial, StoreDirs.SEGMENT).get(0);
    Block block = FileLayout.segment(StoreDirs.read(segment)).blocks().get(0);
    setBlockLength(segment, block, 9, false);

    assertReadsFailAtBlock(trial, segment, block);
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

  // ---------------------------------------------------------------- WAL record contents

  /** A record's payload fields, forged with a matching checksum; a valid record follows it. */
  enum WalField {
    OP_COUNT,
    KEY_LENGTH,
    VALUE_LENGTH
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(WalField.class)
  void walRecordFieldClaiming2GiB_withAMatchingChecksum_isCorruptionAtThatRecord(WalField field) {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path wal = StoreDirs.newest(trial, StoreDirs.WAL);
    List<WalSpan> records = FileLayout.walRecords(StoreDirs.read(wal));
    WalSpan damaged = records.get(records.size() - 2);
    byte[] head = FieldForgery.u64(damaged.sequence());
    byte[] put = {1};
    FieldForgery.walPayload(wal, damaged, switch (field) {
      case OP_COUNT -> FieldForgery.concat(head, FieldForgery.u32(CLAIMED));
      case KEY_LENGTH -> FieldForgery.concat(head, FieldForgery.u32(1), put, FieldForgery.varints(CLAIMED));
      case VALUE_LENGTH -> FieldForgery.concat(head, FieldForgery.u32(1), put, FieldForgery.varints(1), utf8("k"),
          FieldForgery.varints(CLAIMED));
    });

    CorruptionException e = assertBoundedFailure(() -> Store.open(trial, SegmentedStore.OPTIONS).close());
    assertEquals(wal.getFileName(), e.file().getFileName(), "file() is the WAL");
    assertEquals(damaged.offset(), e.fileOffset(), "fileOffset() is the forged record");
  }

  // ---------------------------------------------------------------- blocks: counts and decompressed sizes

  @Test
  void segmentBlockClaimingA2GiBRecordCount_withAMatchingChecksum_isCorruptionOnRead() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path segment = StoreDirs.files(trial, StoreDirs.SEGMENT).get(0);
    Block block = FileLayout.segment(StoreDirs.read(segment)).blocks().get(0);
    FieldForgery.blockHeaderInt(segment, block, 1, CLAIMED);
    assertReadsFailAtBlock(trial, segment, block);
  }

  @Test
  void checkpointBlockClaimingA2GiBStoredLength_isCorruptionAtOpen() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path ckpt = StoreDirs.only(trial, StoreDirs.CHECKPOINT);
    Block block = FileLayout.checkpoint(StoreDirs.read(ckpt)).blocks().get(0);
    FieldForgery.blockHeaderInt(ckpt, block, 9, CLAIMED);

    CorruptionException e = assertBoundedFailure(() -> Store.open(trial, SegmentedStore.OPTIONS).close());
    assertEquals(ckpt.getFileName(), e.file().getFileName(), "file() is the checkpoint");
    assertEquals(block.offset(), e.fileOffset(), "fileOffset() is the damaged block");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
  void compressedBlockClaimingA2GiBRawLength_withAMatchingChecksum_isCorruptionOnRead(Compression codec) {
    Path trial = tmp.resolve("trial");
    CommitModel written = SegmentedStore.write(trial, compressed(codec));
    model = written;
    Path segment = StoreDirs.files(trial, StoreDirs.SEGMENT).get(0);
    Block block = firstBlockOfCodec(segment, BlockCodec.id(codec));
    FieldForgery.blockHeaderInt(segment, block, 5, CLAIMED);
    assertReadsFailAtBlock(trial, segment, block);
  }

  /**
   * A Zstandard frame whose header claims 2 GiB of content, in one RLE block: the decompressor must
   * fill at most the block's declared raw length, and allocate nothing by the frame's claim.
   */
  @Test
  void zstdFrameClaiming2GiBOfContent_isCorruptionOnRead() {
    Path trial = tmp.resolve("trial");
    model = SegmentedStore.write(trial, compressed(Compression.ZSTD));
    Path segment = StoreDirs.files(trial, StoreDirs.SEGMENT).get(0);
    Block block = firstBlockOfCodec(segment, SegmentFormat.CODEC_ZSTD);
    int rleBlockHeader = 1 | (1 << 1) | ((128 * 1024 - 1) << 3); // last block, RLE, 128 KiB - 1
    byte[] frame = {
      0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, // magic
      (byte) 0xA0, // 4-byte content size, single segment
      (byte) 0xF0, (byte) 0xFF, (byte) 0xFF, 0x7F, // content size 0x7FFFFFF0, little-endian
      (byte) rleBlockHeader, (byte) (rleBlockHeader >>> 8), (byte) (rleBlockHeader >>> 16), 'x'
    };
    FieldForgery.replaceBlock(segment, block, SegmentFormat.CODEC_ZSTD, block.rawLength(), frame);
    assertReadsFailAtBlock(trial, segment, block);
  }

  /** LZ4 has no size field: a block whose sequences expand past its declared raw length must fail, not overrun. */
  @Test
  void lz4BlockExpandingPastItsRawLength_isCorruptionOnRead() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path segment = StoreDirs.files(trial, StoreDirs.SEGMENT).get(0);
    Block block = firstBlockOfCodec(segment, SegmentFormat.CODEC_LZ4);
    byte[] sequence = new byte[Math.min(block.storedLength(), 4 + 300)];
    sequence[0] = (byte) 0x1F; // one literal, then a match of 15 + extension bytes
    sequence[1] = 'a';
    sequence[2] = 1; // match offset 1, little-endian
    java.util.Arrays.fill(sequence, 4, sequence.length, (byte) 0xFF); // match length grows by 255 a byte
    FieldForgery.replaceBlock(segment, block, SegmentFormat.CODEC_LZ4, block.rawLength(), sequence);
    assertReadsFailAtBlock(trial, segment, block);
  }

  // ---------------------------------------------------------------- segment records

  @ParameterizedTest(name = "value length {0}")
  @ValueSource(booleans = {false, true})
  void segmentRecordClaimingA2GiBKeyOrValue_isCorruptionOnRead(boolean valueLength) {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path segment = StoreDirs.files(trial, StoreDirs.SEGMENT).get(0);
    Block block = FileLayout.segment(StoreDirs.read(segment)).blocks().get(0);
    byte[] sequence = FieldForgery.u64(1);
    FieldForgery.replaceBlockContent(segment, block, valueLength
        ? FieldForgery.concat(sequence, FieldForgery.varints(1), utf8("k"), FieldForgery.varints(CLAIMED))
        : FieldForgery.concat(sequence, FieldForgery.varints(CLAIMED)));
    assertReadsFailAtBlock(trial, segment, block);
  }

  // ---------------------------------------------------------------- segment footer

  /** Footer fields: offset in the footer, and whether the field is a u64. */
  enum SegmentFooterField {
    DATA_END(0, true),
    BLOCK_COUNT(8, false),
    RECORD_COUNT(12, false),
    RAW_BYTES(16, true);

    final int offset;
    final boolean wide;

    SegmentFooterField(int offset, boolean wide) {
      this.offset = offset;
      this.wide = wide;
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(SegmentFooterField.class)
  void segmentFooterClaiming2GiB_withAMatchingChecksum_isCorruptionAtOpen(SegmentFooterField field) {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path segment = StoreDirs.files(trial, StoreDirs.SEGMENT).get(0);
    long footerOffset = StoreDirs.read(segment).length - SegmentFormat.FOOTER_BYTES;
    FieldForgery.segmentFooter(segment, field.offset, CLAIMED, field.wide);

    CorruptionException e = assertBoundedFailure(() -> Store.open(trial, SegmentedStore.OPTIONS).close());
    assertEquals(segment.getFileName(), e.file().getFileName(), "file() is the segment");
    assertEquals(footerOffset, e.fileOffset(), "fileOffset() is the footer");
  }

  // ---------------------------------------------------------------- checkpoint meta, footer and entries

  @Test
  void checkpointSegmentCountClaiming2GiB_withAMatchingChecksum_isCorruptionAtOpen() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path ckpt = StoreDirs.only(trial, StoreDirs.CHECKPOINT);
    FieldForgery.checkpointMetaInt(ckpt, 24, CLAIMED);

    CorruptionException e = assertBoundedFailure(() -> Store.open(trial, SegmentedStore.OPTIONS).close());
    assertEquals(ckpt.getFileName(), e.file().getFileName(), "file() is the checkpoint");
    assertEquals(CheckpointFormat.HEADER_BYTES + 8, e.fileOffset(), "fileOffset() is the meta body");
  }

  @ParameterizedTest(name = "block count {0}")
  @ValueSource(booleans = {true, false})
  void checkpointFooterClaiming2GiBBlocksOrEntries_withAMatchingChecksum_isCorruptionAtOpen(boolean blockCount) {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path ckpt = StoreDirs.only(trial, StoreDirs.CHECKPOINT);
    FieldForgery.checkpointFooter(ckpt, blockCount ? 8 : 12, CLAIMED, !blockCount);

    CorruptionException e = assertBoundedFailure(() -> Store.open(trial, SegmentedStore.OPTIONS).close());
    assertEquals(ckpt.getFileName(), e.file().getFileName(), "file() is the checkpoint");
  }

  /** One checkpoint entry field claims about 2 GiB (a block offset: 2^40). */
  enum EntryField {
    SHARED_PREFIX,
    SUFFIX_LENGTH,
    SEGMENT_INDEX,
    BLOCK_OFFSET,
    RECORD_OFFSET,
    VALUE_LENGTH
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(EntryField.class)
  void checkpointEntryFieldClaiming2GiB_isCorruptionAtOpen(EntryField field) {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path ckpt = StoreDirs.only(trial, StoreDirs.CHECKPOINT);
    long blocksStart = FileLayout.checkpoint(StoreDirs.read(ckpt)).blocksStart();
    long[] f = {0, 1, 'k', 1, 0, 16, 0, 1}; // shared, suffix length, suffix, sequence, segment, block, record, value
    switch (field) {
      case SHARED_PREFIX -> f[0] = CLAIMED;
      case SUFFIX_LENGTH -> f[1] = CLAIMED;
      case SEGMENT_INDEX -> f[4] = CLAIMED;
      case BLOCK_OFFSET -> f[5] = 1L << 40;
      case RECORD_OFFSET -> f[6] = CLAIMED;
      case VALUE_LENGTH -> f[7] = CLAIMED;
    }
    byte[] entry = FieldForgery.concat(FieldForgery.varints(f[0], f[1]), new byte[] {(byte) f[2]},
        FieldForgery.varints(f[3], f[4], f[5], f[6], f[7]));
    FieldForgery.checkpointEntries(ckpt, entry, 1);

    CorruptionException e = assertBoundedFailure(() -> Store.open(trial, SegmentedStore.OPTIONS).close());
    assertEquals(ckpt.getFileName(), e.file().getFileName(), "file() is the checkpoint");
    assertEquals(blocksStart, e.fileOffset(), "fileOffset() is the entry block");
  }

  /** The forged entry itself is well formed: with no field out of range, the checkpoint opens. */
  @Test
  void checkpointEntryForgery_isReadWhenNoFieldIsOutOfRange() {
    Path trial = StoreDirs.copy(original, tmp.resolve("trial"));
    Path ckpt = StoreDirs.only(trial, StoreDirs.CHECKPOINT);
    FieldForgery.checkpointEntries(ckpt, FieldForgery.concat(FieldForgery.varints(0, 1), utf8("k"),
        FieldForgery.varints(1, 0, 16, 0, 1)), 1);
    Store.open(trial, SegmentedStore.OPTIONS).close();
  }

  // ---------------------------------------------------------------- helpers

  /** Opens the store and reads every key: some reads fail, each at {@code block} of {@code segment}. */
  private void assertReadsFailAtBlock(Path trial, Path segment, Block block) {
    List<CorruptionException> failures = readEveryKey(trial);
    assertFalse(failures.isEmpty(), "the keys of the damaged block cannot be read");
    for (CorruptionException e : failures) {
      assertEquals(segment.getFileName(), e.file().getFileName(), "file() is the segment");
      assertEquals(block.offset(), e.fileOffset(), "fileOffset() is the damaged block");
      assertTrue(e.getMessage().contains(segment.getFileName().toString()), "message names the segment");
    }
  }

  private static StoreOptions compressed(Compression codec) {
    return StoreOptions.builder().walRotateBytes(64 * 1024).backgroundCompaction(false).compression(codec).build();
  }

  /** The first block of {@code segment} stored with codec {@code codecId}. */
  private static Block firstBlockOfCodec(Path segment, int codecId) {
    return FileLayout.segment(StoreDirs.read(segment)).blocks().stream().filter(b -> b.codec() == codecId)
        .findFirst().orElseThrow(() -> new AssertionError(segment.getFileName() + " has no block of codec " + codecId));
  }

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
