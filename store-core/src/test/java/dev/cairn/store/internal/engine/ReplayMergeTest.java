package dev.cairn.store.internal.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Durability;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.index.KeyIndex;
import dev.cairn.store.internal.index.Version;
import dev.cairn.store.sim.CrashMode;
import dev.cairn.store.sim.MemoryVfs;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Recovery replays a WAL into the index a slice at a time and merges whenever a merge is due, so
 * that a long replay never builds one skip list of every replayed key; the replayed state is the
 * same.
 */
class ReplayMergeTest {
  private static final Path DIR = Path.of("/store");
  private static final int KEYS = 20_000;

  @Test
  void aReplayOfManyWritesLeavesNoMergeDue_andRecoversEveryPutOverwriteAndDelete() throws Exception {
    // One WAL file that never rotates: every write is replayed, none is in a segment.
    StoreOptions options = StoreOptions.builder().durability(Durability.SYNC).walRotateBytes(64 << 20).build();
    MemoryVfs vfs = new MemoryVfs();
    Map<String, String> expected = new TreeMap<>();
    try (Store store = StoreEngine.open(DIR, options, vfs)) {
      for (int i = 0; i < KEYS; i++) {
        store.put(key(i), "first-" + i);
        expected.put(key(i), "first-" + i);
      }
      for (int i = 0; i < KEYS; i += 5) {
        store.put(key(i), "second-" + i);
        expected.put(key(i), "second-" + i);
      }
      for (int i = 0; i < KEYS; i += 7) {
        store.delete(key(i));
        expected.remove(key(i));
      }
      assertEquals(0, store.stats().segments(), "the test needs every write in the WAL");
      MemoryVfs image = vfs.crashImage(CrashMode.DROP_UNSYNCED, new Random(1));

      KeyIndex index = new KeyIndex();
      Recovery.State state = Recovery.run(image, DIR, index);
      assertEquals(KEYS + KEYS / 5 + (KEYS + 6) / 7, state.lastSequence());
      // Applied whole, the replay would leave all 20,000 keys in the active map, far past a merge's
      // due point (512 keys in the test suite).
      assertFalse(index.wantsMerge(), "the replay left a merge due");
      assertEquals(expected.size(), index.counts()[0], "live keys");
      for (int i = 0; i < KEYS; i++) {
        Version head = index.head(key(i).getBytes(UTF_8));
        String want = expected.get(key(i));
        if (want == null) {
          assertTrue(head == null || head.isTombstone(), "deleted " + key(i));
        } else {
          assertNotNull(head, key(i));
          assertArrayEquals(want.getBytes(UTF_8), head.copyOfValue(), key(i));
        }
      }
    }
  }

  private static String key(int i) {
    return String.format("key%06d", (i * 7_919) % KEYS); // written in an order other than the keys'
  }
}
