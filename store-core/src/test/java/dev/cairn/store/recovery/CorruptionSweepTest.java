package dev.cairn.store.recovery;

import static dev.cairn.store.recovery.CommitModel.utf8;
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
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
 * with {@code Compression} NONE, LZ4 and ZSTD and {@code walRotateBytes(64 KiB)}, with overwrites
 * and deletes, so its segments mix blocks of all three codecs and some blocks hold only
 * overwritten records (flipping those is harmless: no read touches them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorruptionSweepTest {
  private static final int KEYS_PER_SESSION = 1700;
  private static final int SAMPLES_PER_SEGMENT = 110;
  private static final int SAMPLES_PER_CHECKPOINT = 260;

  @TempDir Path tmp;

  private Path original;
  private CommitModel model;
  private List<String> probes;

  /** How one damaged copy behaved. */
  enum Outcome {
    DETECTED_AT_OPEN,
    DETECTED_ON_READ,
    HARMLESS
  }

  @BeforeAll
  void writeStoreWithAllThreeCodecs() {
    original = tmp.resolve("original");
    model = new CommitModel();
    int session = 0;
    for (Compression codec : Compression.values()) {
      try (Store store = Store.open(original, options(codec))) {
        int first = session * KEYS_PER_SESSION;
        for (int i = first; i < first + KEYS_PER_SESSION; i++) {
          model.put(store, key(i), value(i, codec.name()));
        }
        for (int i = 0; i < first; i += 5) {
          model.put(store, key(i), value(i, "overwritten under " + codec));
        }
        for (int i = 3; i < first; i += 13) {
          if (model.latest().containsKey(key(i))) {
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

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void flippedByteInAnySegment_givesTheRightValueOrCorruptionException_neverAWrongValue() {
    Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    int offsets = 0;
    for (Path seg : StoreDirs.files(original, StoreDirs.SEGMENT)) {
      Framed layout = FileLayout.segment(StoreDirs.read(seg));
      for (long offset : sampleOffsets(layout, SAMPLES_PER_SEGMENT, new Random(offsets))) {
        Outcome outcome = flipAndReadEverything(seg.getFileName().toString(), offset);
        outcomes.merge(outcome, 1, Integer::sum);
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
  @Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void flippedByteInTheCheckpoint_isCorruptionExceptionAtOpen() {
    Path ckpt = StoreDirs.only(original, StoreDirs.CHECKPOINT);
    Framed layout = FileLayout.checkpoint(StoreDirs.read(ckpt));
    Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    TreeSet<Long> offsets = sampleOffsets(layout, SAMPLES_PER_CHECKPOINT, new Random(1));
    for (long offset : offsets) {
      Outcome outcome = flipAndReadEverything(ckpt.getFileName().toString(), offset);
      outcomes.merge(outcome, 1, Integer::sum);
      assertEquals(Outcome.DETECTED_AT_OPEN, outcome, ckpt.getFileName() + " byte " + offset
          + ": every checkpoint byte is under a checksum, and open reads the whole checkpoint");
    }
    System.out.println(summary("checkpoint", offsets.size(), outcomes));
  }

  // ---------------------------------------------------------------- one trial

  /** Flips byte {@code offset} of file {@code name} in a copy of the store, then opens it and reads every key. */
  private Outcome flipAndReadEverything(String name, long offset) {
    Path trial = StoreDirs.copy(original, tmp.resolve("flip-" + name + "-" + offset));
    Path damaged = trial.resolve(name);
    StoreDirs.flipByte(damaged, offset);
    String context = name + " byte " + offset + " flipped";
    try {
      Store store;
      try {
        store = Store.open(trial, options(Compression.ZSTD));
      } catch (CorruptionException e) {
        assertNamesDamagedFile(e, damaged, context);
        return Outcome.DETECTED_AT_OPEN;
      }
      boolean detected;
      try (store) {
        detected = readEveryKey(store, damaged, context) | scanEverything(store, damaged, context);
      }
      return detected ? Outcome.DETECTED_ON_READ : Outcome.HARMLESS;
    } catch (CorruptionException e) {
      throw new AssertionError(context + ": corruption escaped from close()", e);
    } catch (RuntimeException e) {
      throw new AssertionError(context + ": " + e.getClass().getName() + " instead of CorruptionException", e);
    } finally {
      StoreDirs.delete(trial);
    }
  }

  /** Gets every key; true if any get threw CorruptionException. Fails on a wrong value. */
  private boolean readEveryKey(Store store, Path damaged, String context) {
    SortedMap<String, byte[]> expected = model.latest();
    boolean detected = false;
    for (String key : probes) {
      byte[] value;
      try {
        value = store.get(utf8(key));
      } catch (CorruptionException e) {
        assertNamesDamagedFile(e, damaged, context + ", get(" + key + ")");
        detected = true;
        continue;
      }
      assertArrayEquals(expected.get(key), value, context + ": get(" + key + ") returned a wrong value");
    }
    return detected;
  }

  /**
   * Scans everything; true if the scan threw CorruptionException. The entries before that must be
   * exactly the first live keys with their values; a scan that completes must yield them all.
   */
  private boolean scanEverything(Store store, Path damaged, String context) {
    Iterator<Map.Entry<String, byte[]>> expected = model.latest().entrySet().iterator();
    try (Cursor cursor = store.scan(KeyRange.all())) {
      while (cursor.hasNext()) {
        Entry e = cursor.next();
        assertTrue(expected.hasNext(), context + ": scan yielded extra key " + e.keyString());
        Map.Entry<String, byte[]> want = expected.next();
        assertEquals(want.getKey(), e.keyString(), context + ": scan key");
        assertArrayEquals(want.getValue(), e.value(), context + ": scan value of " + e.keyString());
      }
    } catch (CorruptionException e) {
      assertNamesDamagedFile(e, damaged, context + ", scan");
      return true;
    }
    assertFalse(expected.hasNext(), context + ": scan ended early");
    return false;
  }

  private static void assertNamesDamagedFile(CorruptionException e, Path damaged, String context) {
    assertEquals(damaged.toAbsolutePath().normalize(), e.file().toAbsolutePath().normalize(),
        context + ": CorruptionException.file() is the damaged file (" + e.getMessage() + ")");
    assertTrue(e.getMessage().contains(damaged.getFileName().toString()),
        context + ": the message names the file: " + e.getMessage());
    assertTrue(e.fileOffset() >= 0 && e.fileOffset() <= StoreDirs.read(damaged).length,
        context + ": fileOffset() " + e.fileOffset() + " lies within the file");
  }

  // ---------------------------------------------------------------- offsets and data

  /**
   * Every byte of the header (and checkpoint meta) and of the footer, one random byte of each
   * block header and of each block's contents, and random offsets anywhere until {@code target}
   * offsets are chosen. A file of at most {@code target} bytes gets every offset.
   */
  static TreeSet<Long> sampleOffsets(Framed layout, int target, Random random) {
    TreeSet<Long> offsets = new TreeSet<>();
    if (layout.fileLength() <= target) {
      for (long i = 0; i < layout.fileLength(); i++) {
        offsets.add(i);
      }
      return offsets;
    }
    for (long i = 0; i < layout.blocksStart(); i++) {
      offsets.add(i);
    }
    for (long i = layout.footerOffset(); i < layout.fileLength(); i++) {
      offsets.add(i);
    }
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
    return StoreOptions.builder().compression(codec).walRotateBytes(64 * 1024).build();
  }

  private static String key(int i) {
    return String.format("key-%05d", i);
  }

  private static byte[] value(int i, String note) {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < 200) {
      sb.append("value of ").append(key(i)).append(' ').append(note).append("; ");
    }
    return utf8(sb.substring(0, 200 + i % 17));
  }
}
