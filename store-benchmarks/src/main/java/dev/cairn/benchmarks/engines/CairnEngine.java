package dev.cairn.benchmarks.engines;

import dev.cairn.store.Compression;
import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.WriteBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Cairn through its public API only ({@link Store}, {@link StoreOptions}). Process-crash-safe is
 * the default {@code Durability.periodic(100 ms)} (a write returns once its WAL record is in the
 * operating system); fsync per commit is {@code Durability.SYNC}, shared by concurrent writers.
 */
public final class CairnEngine implements KvEngine {
  /** The block cache RocksDB gets too: the default 32 MiB would hold a quarter of the 1M-key store. */
  private static final long CACHE_BYTES = 256L << 20;

  private Store store;

  @Override
  public String id() {
    return "cairn";
  }

  @Override
  public String displayName() {
    return "Cairn";
  }

  @Override
  public Class<?> libraryClass() {
    return Store.class;
  }

  @Override
  public String settings(Settings settings) {
    return settings.bestCompression()
        ? "Compression.ZSTD, 16 KiB blocks, 256 MiB block cache (as RocksDB's), changeRetention(0, null) "
            + "(no change history kept), " + durability(settings)
        : "Compression.LZ4 and 16 KiB blocks (the defaults), 256 MiB block cache (as RocksDB's), "
            + durability(settings);
  }

  private static String durability(Settings settings) {
    return settings.durability() == Durability.FSYNC_PER_COMMIT
        ? "Durability.SYNC (group commit; the WAL is written into preallocated space and fdatasynced)"
        : "Durability.periodic(100 ms) (the WAL record copied into a memory-mapped WAL before ack, synced every 100 ms)";
  }

  @Override
  public void open(Path dir, Settings settings) {
    StoreOptions.Builder options = StoreOptions.builder()
        .durability(settings.durability() == Durability.FSYNC_PER_COMMIT
            ? dev.cairn.store.Durability.SYNC
            : dev.cairn.store.Durability.periodic(Duration.ofMillis(100)))
        .blockCacheBytes(CACHE_BYTES);
    if (settings.bestCompression()) {
      options.compression(Compression.ZSTD).changeRetention(0, null);
    } else {
      options.compression(Compression.LZ4);
    }
    store = Store.open(dir, options.build());
  }

  @Override
  public byte[] get(byte[] key) {
    return store.get(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    store.put(key, value);
  }

  @Override
  public void putBatch(List<byte[]> keys, List<byte[]> values) {
    WriteBatch batch = WriteBatch.create();
    for (int i = 0; i < keys.size(); i++) {
      batch.put(keys.get(i), values.get(i));
    }
    store.write(batch);
  }

  @Override
  public int scan(byte[] fromInclusive, int maxEntries) {
    int count = 0;
    try (Cursor cursor = store.scan(KeyRange.atLeast(fromInclusive))) {
      while (count < maxEntries && cursor.hasNext()) {
        Entry entry = cursor.next();
        if (entry.key().length + entry.value().length < 0) {
          throw new IllegalStateException();
        }
        count++;
      }
    }
    return count;
  }

  @Override
  public long increment(byte[] key) {
    return Counters.decode(store.update(key, Counters::incremented));
  }

  @Override
  public void compact() {
    store.compact();
  }

  @Override
  public String compaction() {
    return "Store.compact()";
  }

  @Override
  public void close() {
    store.close();
  }
}
