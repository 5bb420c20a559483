package dev.cairn.benchmarks.engines;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.ByteIterable;
import jetbrains.exodus.env.Cursor;
import jetbrains.exodus.env.Environment;
import jetbrains.exodus.env.EnvironmentConfig;
import jetbrains.exodus.env.Environments;
import jetbrains.exodus.env.Store;
import jetbrains.exodus.env.StoreConfig;

/**
 * JetBrains Xodus: one store {@code WITHOUT_DUPLICATES} in an environment (an append-only log of
 * files), one transaction per put, per batch and per {@link #increment}. Process-crash-safe is the
 * default {@code log.durableWrite=false} (each commit written to the file, not fsynced); fsync per
 * commit is {@code setLogDurableWrite(true)}. Xodus has no compression; its garbage collector
 * reclaims overwritten space in the background.
 */
public final class XodusEngine implements KvEngine {
  private Environment env;
  private Store store;

  @Override
  public String id() {
    return "xodus";
  }

  @Override
  public String displayName() {
    return "Xodus";
  }

  @Override
  public Class<?> libraryClass() {
    return Environments.class;
  }

  @Override
  public String settings(Settings settings) {
    return "no compression (Xodus has none), StoreConfig.WITHOUT_DUPLICATES, background GC on, "
        + (settings.durability() == Durability.FSYNC_PER_COMMIT
            ? "setLogDurableWrite(true)" : "log.durableWrite=false (default)");
  }

  @Override
  public void open(Path dir, Settings settings) {
    EnvironmentConfig config = new EnvironmentConfig()
        .setLogDurableWrite(settings.durability() == Durability.FSYNC_PER_COMMIT);
    env = Environments.newInstance(dir.toFile(), config);
    store = env.computeInTransaction(
        txn -> env.openStore("kv", StoreConfig.WITHOUT_DUPLICATES, txn));
  }

  private static byte[] copy(ByteIterable bytes) {
    return Arrays.copyOf(bytes.getBytesUnsafe(), bytes.getLength());
  }

  @Override
  public byte[] get(byte[] key) {
    return env.computeInReadonlyTransaction(txn -> {
      ByteIterable found = store.get(txn, new ArrayByteIterable(key));
      return found == null ? null : copy(found);
    });
  }

  @Override
  public void put(byte[] key, byte[] value) {
    env.executeInTransaction(
        txn -> store.put(txn, new ArrayByteIterable(key), new ArrayByteIterable(value)));
  }

  @Override
  public void putBatch(List<byte[]> keys, List<byte[]> values) {
    env.executeInTransaction(txn -> {
      for (int i = 0; i < keys.size(); i++) {
        store.put(txn, new ArrayByteIterable(keys.get(i)), new ArrayByteIterable(values.get(i)));
      }
    });
  }

  @Override
  public int scan(byte[] fromInclusive, int maxEntries) {
    return env.computeInReadonlyTransaction(txn -> {
      int count = 0;
      try (Cursor cursor = store.openCursor(txn)) {
        if (cursor.getSearchKeyRange(new ArrayByteIterable(fromInclusive)) == null) {
          return 0;
        }
        do {
          if (copy(cursor.getKey()).length + copy(cursor.getValue()).length < 0) {
            throw new IllegalStateException();
          }
          count++;
        } while (count < maxEntries && cursor.getNext());
      }
      return count;
    });
  }

  @Override
  public long increment(byte[] key) {
    return env.computeInTransaction(txn -> {
      ArrayByteIterable k = new ArrayByteIterable(key);
      ByteIterable found = store.get(txn, k);
      byte[] next = Counters.incremented(found == null ? null : copy(found));
      store.put(txn, k, new ArrayByteIterable(next));
      return Counters.decode(next);
    });
  }

  @Override
  public void compact() {
    env.gc();
  }

  @Override
  public String compaction() {
    return "env.gc() (requests a background GC run; it may still be running at close)";
  }

  @Override
  public void close() {
    env.close();
  }
}
