package dev.cairn.store.recovery;

import static dev.cairn.store.testing.Op.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Compression;
import dev.cairn.store.CorruptionException;
import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.recovery.FileLayout.Block;
import dev.cairn.store.recovery.FileLayout.Framed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flips one byte of a segment or checkpoint file, at hundreds of offsets spread over headers,
 * block headers, block contents and footers, and checks the promise of {@link CorruptionException}:
 * the store never returns damaged bytes as data. Each trial opens a damaged copy of one store and
 * reads every key, point by point and with a full scan. Every operation must either give exactly
 * the value the commit model says or throw {@code CorruptionException} naming the damaged file; no
 * other exception, no wrong value, no hang.
 *
 * <p>The store holds about 5,000 keys of ~200-byte compressible values, written in three sessions
 * with {@code Compression} NONE, LZ4 and ZSTD and {@code walRotateBytes(64 KiB)}; each session
 * overwrites and deletes a run of the previous session's keys. Compaction merges the small
 * segments that flushes leave (copying fully live blocks as they are, so blocks of all three
 * codecs remain), and a garbage ratio of 0.9 keeps it from rewriting segments whose garbage is
 * lower: some blocks then hold only overwritten records, which no read touches, so flipping a
 * byte there is harmless.
 *
 * <p>WAL files (replayed and change history) and truncations of every file kind are swept by
 * {@link FileDamageSweepTest}; both add to the {@link CorruptionTally} summary line.
 */
class CorruptionSweepTest {
  private static final int KEYS_PER_SESSION = 1700;
  /** {@code -Dcairn.sweep.density=K} multiplies the offsets per file (default 1). */
  private static final int DENSITY = Integer.getInteger("cairn.sweep.density", 1);
  private static final int SAMPLES_PER_SEGMENT = 60 * DENSITY;
  private static final int SAMPLES_PER_CHECKPOINT = 260 * DENSITY;

  @TempDir static Path tmp;

  private static Path original;
  private static CommitModel model;
  private static List<String> probes;

  /** How one damaged copy behaved. */
  enum Outcome {
    DETECTED_AT_OPEN,
    DETECTED_ON_READ,
    HARMLESS
  }

  @BeforeAll
  static void writeStoreWithAllThreeCodecs() {
    original = tmp.resolve("original");
    model = new CommitModel();
    int session = 0;
    for (Compression codec : Compression.values()) {
      try (Store store = Store.open(original, options(codec))) {
        int first = session * KEYS_PER_SESSION;
        for (int i = first; i < first + KEYS_PER_SESSION; i++) {
          model.put(store, key(i), value(i, codec.name()));
        }
        if (session > 0) { // rewrite and delete the first keys of the previous session, leaving the rest live
          int previous = first - KEYS_PER_SESSION;
          for (int i = previous; i < previous + 200; i++) {
            model.put(store, key(i), value(i, "overwritten under " + codec));
          }
          for (int i = previous + 200; i < previous + 260; i++) {
            model.delete(store, key(i));
          }
        }
      }
      session++;
    }
    probes = model.everWritten();
    Map<Integer, Integer> blocksByCodec = new TreeMap<>();
    for (Path seg : StoreDirs.files(original, StoreDirs.SEGMENT)) {
      for (Block b : FileLayout.segment(StoreDirs.read(seg)).blocks()) {
        blocksByCodec.merge(b.codec(), 1, Integer::sum);
      }
    }
    assertEquals(List.of(SegmentFormat.CODEC_NONE, SegmentFormat.CODEC_LZ4, SegmentFormat.CODEC_ZSTD),
        new ArrayList<>(blocksByCodec.keySet()), "the segments hold blocks of every codec: " + blocksByCodec);
    System.out.println("sweep store: " + probes.size() + " keys, " + model.latest().size() + " live, "
        + StoreDirs.files(original, StoreDirs.SEGMENT).size() + " segments, blocks by codec id " + blocksByCodec);
  }

  @AfterAll
  static void printSummary() {
    CorruptionTally.report();
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void flippedByteInAnySegment_givesTheRightValueOrCorruptionException_neverAWrongValue() {
    Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    int offsets = 0;
    List<Path> segments = StoreDirs.files(original, StoreDirs.SEGMENT);
    for (Path seg : segments) {
      Framed layout = FileLayout.segment(StoreDirs.read(seg));
      boolean everyFramingByte = seg.equals(segments.get(0));
      for (long offset : sampleOffsets(layout, SAMPLES_PER_SEGMENT, everyFramingByte, new Random(offsets))) {
        Outcome outcome = flipAndReadEverything(seg.getFileName().toString(), layout, offset);
        outcomes.merge(outcome, 1, Integer::sum);
        CorruptionTally.record("segment flips", true, outcome != Outcome.HARMLESS);
        offsets++;
        if (offset < layout.blocksStart() || offset >= layout.footerOffset()) {
          assertEquals(Outcome.DETECTED_AT_OPEN, outcome,
              seg.getFileName() + " byte " + offset + ": open verifies a listed segment's header and footer");
        }
      }
    }
    System.out.println(summary("segment", offsets, outcomes));
    assertTrue(outcomes.getOrDefault(Outcome.DETECTED_ON_READ, 0) > 0, "some damage is found by reads");
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void flippedByteInTheCheckpoint_isCorruptionExceptionAtOpen() {
    Path ckpt = StoreDirs.only(original, StoreDirs.CHECKPOINT);
    Framed layout = FileLayout.checkpoint(StoreDirs.read(ckpt));
    Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    TreeSet<Long> offsets = sampleOffsets(layout, SAMPLES_PER_CHECKPOINT, true, new Random(1));
    for (long offset : offsets) {
      Outcome outcome = flipAndReadEverything(ckpt.getFileName().toString(), layout, offset);
      outcomes.merge(outcome, 1, Integer::sum);
      CorruptionTally.record("checkpoint flips", true, outcome != Outcome.HARMLESS);
      assertEquals(Outcome.DETECTED_AT_OPEN, outcome, ckpt.getFileName() + " byte " + offset
          + ": every checkpoint byte is under a checksum, and open reads the whole checkpoint");
    }
    System.out.println(summary("checkpoint", offsets.size(), outcomes));
  }

  // ---------------------------------------------------------------- one trial

  /** One flipped byte: the damaged file of a trial copy, the byte, and the block holding it (-1 if none). */
  private record Damage(Path file, long fileLength, long offset, long blockOffset) {
    String describe() {
      return file.getFileName() + " byte " + offset + " flipped";
    }
  }

  /** Flips byte {@code offset} of file {@code name} in a copy of the store, then opens it and reads every key. */
  private Outcome flipAndReadEverything(String name, Framed layout, long offset) {
    Path trial = StoreDirs.copy(original, tmp.resolve("flip-" + name + "-" + offset));
    long blockOffset = layout.blocks().stream()
        .filter(b -> b.offset() <= offset && offset < b.end()).mapToLong(Block::offset).findFirst().orElse(-1);
    Damage damage = new Damage(trial.resolve(name), layout.fileLength(), offset, blockOffset);
    StoreDirs.flipByte(damage.file(), offset);
    try {
      Store store;
      try {
        store = Store.open(trial, options(Compression.ZSTD));
      } catch (CorruptionException e) {
        assertReports(e, damage, false, damage.describe() + ", open");
        return Outcome.DETECTED_AT_OPEN;
      }
      boolean detected;
      try (store) {
        detected = readEveryKey(store, damage) | scanEverything(store, damage);
      }
      return detected ? Outcome.DETECTED_ON_READ : Outcome.HARMLESS;
    } catch (CorruptionException e) {
      throw new AssertionError(damage.describe() + ": corruption escaped from close()", e);
    } catch (RuntimeException e) {
      throw new AssertionError(damage.describe() + ": " + e.getClass().getName() + " is not CorruptionException", e);
    } finally {
      StoreDirs.delete(trial);
    }
  }

  /** Gets every key; true if any get threw CorruptionException. Fails on a wrong value. */
  private boolean readEveryKey(Store store, Damage damage) {
    SortedMap<String, byte[]> expected = model.latest();
    boolean detected = false;
    for (String key : probes) {
      String context = damage.describe() + ", get(" + key + ")";
      byte[] value;
      try {
        value = store.get(utf8(key));
      } catch (CorruptionException e) {
        assertReports(e, damage, true, context);
        detected = true;
        continue;
      }
      assertArrayEquals(expected.get(key), value, context + " returned a wrong value");
    }
    return detected;
  }

  /**
   * Scans everything; true if the scan threw CorruptionException. The entries before that must be
   * exactly the first live keys with their values; a scan that completes must yield them all.
   */
  private boolean scanEverything(Store store, Damage damage) {
    String context = damage.describe() + ", scan";
    Iterator<Map.Entry<String, byte[]>> expected = model.latest().entrySet().iterator();
    try (Cursor cursor = store.scan(KeyRange.all())) {
      while (cursor.hasNext()) {
        Entry e = cursor.next();
        assertTrue(expected.hasNext(), context + " yielded extra key " + e.keyString());
        Map.Entry<String, byte[]> want = expected.next();
        assertEquals(want.getKey(), e.keyString(), context + " key");
        assertArrayEquals(want.getValue(), e.value(), context + " value of " + e.keyString());
      }
    } catch (CorruptionException e) {
      assertReports(e, damage, true, context);
      return true;
    }
    assertFalse(expected.hasNext(), context + " ended early");
    return false;
  }

  /**
   * Asserts that {@code e} names the damaged file (in {@code file()} and in its message) and an
   * offset inside it; a read must name the very block that holds the flipped byte.
   */
  private static void assertReports(CorruptionException e, Damage damage, boolean onRead, String context) {
    assertEquals(damage.file().toAbsolutePath().normalize(), e.file().toAbsolutePath().normalize(),
        context + ": CorruptionException.file() is the damaged file (" + e.getMessage() + ")");
    assertTrue(e.getMessage().contains(damage.file().getFileName().toString()),
        context + ": the message names the file: " + e.getMessage());
    assertTrue(e.fileOffset() >= 0 && e.fileOffset() <= damage.fileLength(),
        context + ": fileOffset() " + e.fileOffset() + " lies within the file");
    if (onRead) {
      assertEquals(damage.blockOffset(), e.fileOffset(), context + ": a read reports the damaged block's offset");
    }
  }

  // ---------------------------------------------------------------- offsets and data

  /**
   * Bytes of the header (and checkpoint meta) and of the footer: all of them if {@code
   * everyFramingByte}, else eight at random; one random byte of each block header and of each
   * block's contents; then random offsets anywhere until {@code target} offsets are chosen. A file
   * of at most {@code target} bytes gets every offset.
   */
  static TreeSet<Long> sampleOffsets(Framed layout, int target, boolean everyFramingByte, Random random) {
    TreeSet<Long> offsets = new TreeSet<>();
    if (layout.fileLength() <= target) {
      for (long i = 0; i < layout.fileLength(); i++) {
        offsets.add(i);
      }
      return offsets;
    }
    List<Long> framing = new ArrayList<>();
    for (long i = 0; i < layout.blocksStart(); i++) {
      framing.add(i);
    }
    for (long i = layout.footerOffset(); i < layout.fileLength(); i++) {
      framing.add(i);
    }
    if (!everyFramingByte) {
      Collections.shuffle(framing, random);
      framing = framing.subList(0, 8);
    }
    offsets.addAll(framing);
    for (Block b : layout.blocks()) {
      offsets.add(b.offset() + random.nextInt(SegmentFormat.BLOCK_HEADER_BYTES));
      offsets.add(b.bodyOffset() + (long) (random.nextDouble() * b.storedLength()));
    }
    while (offsets.size() < target) {
      offsets.add((long) (random.nextDouble() * layout.fileLength()));
    }
    return offsets;
  }

  private static String summary(String what, int offsets, Map<Outcome, Integer> outcomes) {
    int atOpen = outcomes.getOrDefault(Outcome.DETECTED_AT_OPEN, 0);
    int onRead = outcomes.getOrDefault(Outcome.DETECTED_ON_READ, 0);
    return what + " sweep: " + offsets + " offsets, " + (atOpen + onRead) + " corruption detected ("
        + atOpen + " at open, " + onRead + " on read), " + outcomes.getOrDefault(Outcome.HARMLESS, 0) + " harmless";
  }

  private static StoreOptions options(Compression codec) {
    return StoreOptions.builder()
        .compression(codec)
        .walRotateBytes(64 * 1024)
        .segmentBytes(1024 * 1024)
        .compactionGarbageRatio(0.9)
        .build();
  }

  private static String key(int i) {
    return String.format("key-%05d", i);
  }

  private static byte[] value(int i, String note) {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < 220) {
      sb.append("value of ").append(key(i)).append(' ').append(note).append("; ");
    }
    return utf8(sb.substring(0, 200 + i % 17));
  }
}
