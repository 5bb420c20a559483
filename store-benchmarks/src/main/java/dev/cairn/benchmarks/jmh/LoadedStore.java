package dev.cairn.benchmarks.jmh;

import dev.cairn.benchmarks.Directories;
import dev.cairn.benchmarks.engines.Engines;
import dev.cairn.benchmarks.engines.KvEngine;
import dev.cairn.benchmarks.engines.KvEngine.Durability;
import dev.cairn.benchmarks.engines.KvEngine.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A store of {@code keyCount} 16-byte random keys with 100-byte values, loaded in batches into a
 * fresh directory under {@code target/}, in the process-crash-safe mode (no fsync per write), for
 * the JMH benchmarks. Thread-safe as the engine is; {@link #close} deletes the directory.
 */
final class LoadedStore implements AutoCloseable {
  static final int KEY_BYTES = 16;
  static final int VALUE_BYTES = 100;
  private static final long SEED = 0xCA124L;

  final KvEngine engine;
  private final byte[] keys;
  private final int keyCount;
  private final Path dir;

  LoadedStore(String engineId, int keyCount) {
    this.engine = Engines.create(engineId);
    this.keyCount = keyCount;
    this.keys = new byte[keyCount * KEY_BYTES];
    new SplittableRandom(SEED).nextBytes(keys);
    try {
      Files.createDirectories(Path.of("target"));
      this.dir = Files.createTempDirectory(Path.of("target"), "jmh-" + engineId + "-").toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    engine.open(dir.resolve("store"),
        new Settings(Durability.PROCESS_CRASH_SAFE, false, keyCount + 1, VALUE_BYTES));
    SplittableRandom values = new SplittableRandom(SEED + 1);
    List<byte[]> batchKeys = new ArrayList<>();
    List<byte[]> batchValues = new ArrayList<>();
    for (int i = 0; i < keyCount; i++) {
      batchKeys.add(key(i));
      batchValues.add(value(values));
      if (batchKeys.size() == 10_000 || i == keyCount - 1) {
        engine.putBatch(batchKeys, batchValues);
        batchKeys.clear();
        batchValues.clear();
      }
    }
  }

  int keyCount() {
    return keyCount;
  }

  byte[] key(int index) {
    return Arrays.copyOfRange(keys, index * KEY_BYTES, (index + 1) * KEY_BYTES);
  }

  static byte[] value(SplittableRandom random) {
    byte[] value = new byte[VALUE_BYTES];
    random.nextBytes(value);
    return value;
  }

  @Override
  public void close() {
    engine.close();
    Directories.deleteTree(dir);
  }
}
