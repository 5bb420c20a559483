package dev.cairn.benchmarks.engines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.benchmarks.engines.KvEngine.Durability;
import dev.cairn.benchmarks.engines.KvEngine.Settings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every adapter keeps the contract of {@link KvEngine} that the side-by-side workloads rely on: a
 * get returns the last value put, a batch writes every pair, a scan counts entries in unsigned key
 * order from its start key, increments are read-modify-write transactions that no concurrent
 * increment loses, and what was written survives close and reopen, in both durability classes. A
 * workload whose adapter broke one of these would compare the engines on different work.
 */
class EngineContractTest {
  private static final Settings PLAIN = new Settings(Durability.PROCESS_CRASH_SAFE, false, 1_000, 100);
  private static final Settings FSYNC = new Settings(Durability.FSYNC_PER_COMMIT, false, 1_000, 100);
  private static final Settings BEST_COMPRESSION = new Settings(Durability.PROCESS_CRASH_SAFE, true, 1_000, 100);

  static Stream<String> engines() {
    return Engines.IDS.stream();
  }

  /** The 16-byte key of {@code i}: its first byte is {@code 2 * i}, so keys from 64 on start with a byte above 127. */
  private static byte[] key(int i) {
    byte[] key = new byte[16];
    key[0] = (byte) (2 * i);
    key[15] = (byte) i;
    return key;
  }

  private static byte[] value(int i, int round) {
    byte[] value = new byte[100];
    for (int j = 0; j < value.length; j++) {
      value[j] = (byte) (i * 31 + round * 7 + j);
    }
    return value;
  }

  private static KvEngine open(String id, Path dir, Settings settings) {
    KvEngine engine = Engines.create(id);
    engine.open(dir, settings);
    return engine;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void aGet_returnsTheLastValuePut_andNullForAKeyNeverPut(String id, @TempDir Path dir) {
    try (KvEngine engine = open(id, dir, PLAIN)) {
      engine.put(key(1), value(1, 0));
      engine.put(key(2), value(2, 0));
      engine.put(key(1), value(1, 1));

      assertArrayEquals(value(1, 1), engine.get(key(1)));
      assertArrayEquals(value(2, 0), engine.get(key(2)));
      assertNull(engine.get(key(3)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void aBatch_writesEveryPair(String id, @TempDir Path dir) {
    try (KvEngine engine = open(id, dir, PLAIN)) {
      List<byte[]> keys = new ArrayList<>();
      List<byte[]> values = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        keys.add(key(i));
        values.add(value(i, 0));
      }
      engine.putBatch(keys, values);

      for (int i = 0; i < 50; i++) {
        assertArrayEquals(value(i, 0), engine.get(key(i)), "key " + i);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void aScan_countsEntriesInUnsignedKeyOrder_fromItsStartKey_toTheEnd(String id, @TempDir Path dir) {
    try (KvEngine engine = open(id, dir, PLAIN)) {
      for (int i = 99; i >= 0; i--) {
        engine.put(key(i), value(i, 0));
      }
      if (!engine.supportsScan()) {
        assertThrows(UnsupportedOperationException.class, () -> engine.scan(key(0), 10));
        return;
      }
      assertEquals(10, engine.scan(key(0), 10));
      assertEquals(100, engine.scan(key(0), 1_000));
      // Keys 64 to 99 start with a byte above 127: in unsigned order they are the last 36.
      assertEquals(36, engine.scan(key(64), 1_000));
      assertEquals(1, engine.scan(key(99), 1_000));
      byte[] between = key(97);
      between[15] = (byte) 0xFF; // after key 97, before key 98
      assertEquals(2, engine.scan(between, 1_000));
      byte[] past = new byte[16];
      Arrays.fill(past, (byte) 0xFF);
      assertEquals(0, engine.scan(past, 1_000));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void concurrentIncrements_areEachOneReadModifyWrite_noneLost(String id, @TempDir Path dir) throws Exception {
    byte[] counter = "counter-00000001".getBytes(StandardCharsets.US_ASCII);
    try (KvEngine engine = open(id, dir, PLAIN)) {
      assertEquals(1, engine.increment(counter));
      ExecutorService threads = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          done.add(threads.submit(() -> {
            for (int i = 0; i < 500; i++) {
              engine.increment(counter);
            }
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        threads.shutdown();
      }
      assertEquals(2_001, Counters.decode(engine.get(counter)));
      assertEquals(2_002, engine.increment(counter));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void whatWasWritten_survivesCloseAndReopen_andCompaction(String id, @TempDir Path dir) {
    try (KvEngine engine = open(id, dir, PLAIN)) {
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++) {
          engine.put(key(i), value(i, round));
        }
      }
      engine.compact();
    }
    try (KvEngine engine = open(id, dir, PLAIN)) {
      for (int i = 0; i < 100; i++) {
        assertArrayEquals(value(i, 2), engine.get(key(i)), "key " + i);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void inTheFsyncClass_writesSurviveCloseAndReopen_orTheEngineSaysItCannotFsync(String id, @TempDir Path dir) {
    if (!Engines.create(id).supportsFsync()) {
      assertThrows(UnsupportedOperationException.class, () -> open(id, dir, FSYNC));
      return;
    }
    try (KvEngine engine = open(id, dir, FSYNC)) {
      engine.put(key(1), value(1, 0));
      engine.increment(key(2));
    }
    try (KvEngine engine = open(id, dir, FSYNC)) {
      assertArrayEquals(value(1, 0), engine.get(key(1)));
      assertEquals(1, Counters.decode(engine.get(key(2))));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void withBestCompression_valuesReadBackUnchanged(String id, @TempDir Path dir) {
    byte[] json = ("{\"customer\":\"c-1\",\"items\":[{\"sku\":\"a\",\"qty\":1},{\"sku\":\"a\",\"qty\":1}],\"note\":\""
        + "x".repeat(200) + "\"}").getBytes(StandardCharsets.UTF_8);
    try (KvEngine engine = open(id, dir, BEST_COMPRESSION)) {
      for (int i = 0; i < 100; i++) {
        engine.put(key(i), json);
      }
    }
    try (KvEngine engine = open(id, dir, BEST_COMPRESSION)) {
      assertArrayEquals(json, engine.get(key(42)));
    }
  }
}
