package dev.cairn.store.internal.fuzz;

import dev.cairn.store.WriteBatch;
import dev.cairn.store.internal.checkpoint.CheckpointMeta;
import dev.cairn.store.internal.checkpoint.CheckpointWriter;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.segment.BlockWriter;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.segment.SegmentWriter;
import dev.cairn.store.internal.wal.WalFormat;
import dev.cairn.store.internal.wal.WalRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Writes the seed corpora of the fuzz tests: valid files made by the real writers ({@code
 * WalRecord}, {@code BlockWriter}, {@code SegmentWriter}, {@code CheckpointWriter}), so that the
 * fuzzer starts from well-formed files and mutates inward. Each seed lands in the regression-input
 * directory of its fuzz test method, where the normal test run replays it. Deterministic: running
 * it again rewrites the same bytes.
 *
 * <p>Run from {@code store-core}:
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     dev.cairn.store.internal.fuzz.FuzzSeeds src/test/resources
 * </pre>
 */
public final class FuzzSeeds {
  private static final Path FILE = Path.of("/seed/file");

  private final Path resources;

  private FuzzSeeds(Path resources) {
    this.resources = resources;
  }

  public static void main(String[] args) throws IOException {
    new FuzzSeeds(Path.of(args.length > 0 ? args[0] : "src/test/resources")).writeAll();
  }

  private void writeAll() throws IOException {
    byte[] example = wal(1, List.of(
        WriteBatch.create().put(b("k1"), b("v1")).put(b("k3"), b("v3")),
        WriteBatch.create().put(b("k2"), b("v2")).delete(b("k3"))));
    byte[] mixed = wal(1, List.of(
        WriteBatch.create(),
        WriteBatch.create().put(b(""), b("")).delete(b("")),
        WriteBatch.create().put(b("user:1"), b("Ada Lovelace")).put(b("user:2"), new byte[300]),
        WriteBatch.create().delete(b("user:1"))));
    byte[] headerOnly = WalFormat.header();
    byte[] torn = Arrays.copyOf(example, 0x40);
    for (String method : List.of("arbitraryBytesReadAsRecordsOrFailAsCorruption",
        "walWithRepairedChecksumsReadsAsRecordsOrFailsAsCorruption")) {
      save("wal", "WalReaderFuzzTest", method, "seed-format-example", example);
      save("wal", "WalReaderFuzzTest", method, "seed-mixed-batches", mixed);
      save("wal", "WalReaderFuzzTest", method, "seed-header-only", headerOnly);
      save("wal", "WalReaderFuzzTest", method, "seed-torn-tail", torn);
    }
    save("feed", "HistoryReaderFuzzTest", "historyReadsCommitsLikeRecoveryOrFailsAsCorruption", "seed-format-example", example);
    save("feed", "HistoryReaderFuzzTest", "historyReadsCommitsLikeRecoveryOrFailsAsCorruption", "seed-mixed-batches", mixed);

    for (int codec = SegmentFormat.CODEC_NONE; codec <= SegmentFormat.CODEC_ZSTD; codec++) {
      String name = codecName(codec);
      save("segment", "BlockReaderFuzzTest", "arbitraryBlockBytesDecodeOrFailAsCorruption", "seed-" + name + "-blocks",
          blocks(codec, 96, 12));
      save("segment", "BlockReaderFuzzTest", name + "BlockWithRepairedChecksumDecodesOrFailsAsCorruption",
          "seed-one-block", blocks(codec, 4096, 6));
      save("segment", "BlockReaderFuzzTest", name + "BlockWithRepairedChecksumDecodesOrFailsAsCorruption",
          "seed-small-block", blocks(codec, 4096, 1));
      for (String method : List.of("arbitraryBytesOpenAsSegmentOrFailAsCorruption",
          "segmentWithRepairedChecksumsReadsOrFailsAsCorruption")) {
        save("segment", "SegmentFuzzTest", method, "seed-" + name + "-segment", segment(codec, 128, 10));
      }
      for (String method : List.of("arbitraryBytesReadAsCheckpointOrFailAsCorruption",
          "checkpointWithRepairedChecksumsReadsOrFailsAsCorruption")) {
        save("checkpoint", "CheckpointReaderFuzzTest", method, "seed-" + name + "-checkpoint", checkpoint(codec, 12));
      }
    }
    for (String method : List.of("arbitraryBytesOpenAsSegmentOrFailAsCorruption",
        "segmentWithRepairedChecksumsReadsOrFailsAsCorruption")) {
      save("segment", "SegmentFuzzTest", method, "seed-empty-segment", segment(SegmentFormat.CODEC_NONE, 128, 0));
    }
    for (String method : List.of("arbitraryBytesReadAsCheckpointOrFailAsCorruption",
        "checkpointWithRepairedChecksumsReadsOrFailsAsCorruption")) {
      save("checkpoint", "CheckpointReaderFuzzTest", method, "seed-empty-checkpoint", checkpoint(SegmentFormat.CODEC_NONE, 0));
    }

    String recovery = "recoveredDirectoryReadsBackOrFailsAsCorruption";
    save("engine", "RecoveryFuzzTest", recovery, "seed-format-example", store(SegmentFormat.CODEC_NONE, example, headerOnly));
    save("engine", "RecoveryFuzzTest", recovery, "seed-lz4-with-new-commits",
        store(SegmentFormat.CODEC_LZ4, example, wal(3, List.of(WriteBatch.create().put(b("k4"), b("v4")).delete(b("k1"))))));

    Random random = new Random(7);
    String[][] providerTargets = {
        {"wal", "WalReaderFuzzTest", "writtenWalReadsBackAcrossCutsDamageAndGarbage"},
        {"segment", "BlockReaderFuzzTest", "writtenBlocksReadBackEqual"},
        {"segment", "SegmentFuzzTest", "writtenSegmentReadsBackEqual"},
        {"checkpoint", "CheckpointReaderFuzzTest", "writtenCheckpointReadsBackEqual"},
    };
    for (String[] t : providerTargets) {
      for (int i = 1; i <= 3; i++) {
        byte[] bytes = new byte[256 * i];
        random.nextBytes(bytes);
        save(t[0], t[1], t[2], "seed-random-" + i, bytes);
      }
    }
  }

  private static String codecName(int codec) {
    return codec == SegmentFormat.CODEC_NONE ? "raw" : codec == SegmentFormat.CODEC_LZ4 ? "lz4" : "zstd";
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] wal(long firstSequence, List<WriteBatch> batches) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(WalFormat.header());
    long sequence = firstSequence;
    for (WriteBatch batch : batches) {
      WalRecord record = WalRecord.encode(batch);
      record.seal(sequence++);
      out.writeBytes(record.bytes());
    }
    return out.toByteArray();
  }

  /** Compressible records ("key-N" and a repetitive value) in blocks of {@code targetBytes}. */
  private static byte[] blocks(int codec, int targetBytes, int records) throws IOException {
    MemoryVfs vfs = new MemoryVfs();
    VfsFile file = vfs.create(FILE);
    BlockWriter writer = new BlockWriter(file, 0, codec, targetBytes);
    for (int i = 0; i < records; i++) {
      writer.startRecord();
      writer.raw().putLong(i + 1).put(b("key-" + i)).put(b("value value value value " + i));
    }
    writer.finish();
    return vfs.contents(FILE);
  }

  private static byte[] segment(int codec, int targetBytes, int records) throws IOException {
    MemoryVfs vfs = new MemoryVfs();
    SegmentWriter writer = new SegmentWriter(vfs, FILE, codec, targetBytes);
    for (int i = 0; i < records; i++) {
      writer.add(i + 1, b("value value value value " + i));
    }
    writer.finish();
    return vfs.contents(FILE);
  }

  private static byte[] checkpoint(int codec, int entries) throws IOException {
    MemoryVfs vfs = new MemoryVfs();
    CheckpointMeta meta = new CheckpointMeta(entries, 2, 5,
        List.of(new CheckpointMeta.SegmentRef(3, 4096), new CheckpointMeta.SegmentRef(4, 97)));
    try (CheckpointWriter writer = new CheckpointWriter(vfs, FILE, meta, codec)) {
      for (int i = 0; i < entries; i++) {
        writer.add(b(String.format("user:%04d", i)), i + 1, i % 2, 16 + 40L * (i / 3), 14 * (i % 3), 10 + i);
      }
      writer.finish();
    }
    return vfs.contents(FILE);
  }

  /**
   * The example store of docs/FORMAT.md as a {@code RecoveryFuzzTest} input: WAL 1 (commits 1 and
   * 2), WAL 2 ({@code newestWal}), segment 3 (k1, k2), checkpoint 4, and a leftover temporary file.
   */
  private static byte[] store(int codec, byte[] olderWal, byte[] newestWal) throws IOException {
    MemoryVfs vfs = new MemoryVfs();
    SegmentWriter segment = new SegmentWriter(vfs, FILE, codec, 16 * 1024);
    SegmentWriter.Location k1 = segment.add(1, b("value one value one"));
    SegmentWriter.Location k2 = segment.add(2, b("value two value two"));
    segment.finish();
    byte[] segmentBytes = vfs.contents(FILE);
    Path checkpointPath = Path.of("/seed/checkpoint");
    CheckpointMeta meta = new CheckpointMeta(2, 2, 5, List.of(new CheckpointMeta.SegmentRef(3, segmentBytes.length)));
    try (CheckpointWriter writer = new CheckpointWriter(vfs, checkpointPath, meta, codec)) {
      writer.add(b("k1"), 1, 0, k1.blockOffset(), k1.recordOffset(), 19);
      writer.add(b("k2"), 2, 0, k2.blockOffset(), k2.recordOffset(), 19);
      writer.finish();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    storeFile(out, 0, olderWal);
    storeFile(out, 0, newestWal);
    storeFile(out, 1, segmentBytes);
    storeFile(out, 2, vfs.contents(checkpointPath));
    storeFile(out, 3, b("leftover"));
    return out.toByteArray();
  }

  private static void storeFile(ByteArrayOutputStream out, int kind, byte[] bytes) {
    out.write(kind);
    out.write(bytes.length >>> 8);
    out.write(bytes.length & 0xFF);
    out.writeBytes(bytes);
  }

  private void save(String pkg, String testClass, String method, String name, byte[] bytes) throws IOException {
    Path dir = resources.resolve("dev/cairn/store/internal/" + pkg + "/" + testClass + "Inputs/" + method);
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), bytes);
  }
}
