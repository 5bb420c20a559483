package dev.cairn.benchmarks.engines;

import java.nio.file.Path;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB (rocksdbjni) as its tuning guide recommends for a small embedded store: LZ4 for the upper
 * levels and ZSTD for the bottommost, a 10-bit Bloom filter, a 256 MiB block cache, 2 background
 * jobs. Process-crash-safe is {@code WriteOptions.sync=false} (the default: the WAL is written to
 * the operating system on each write, not fsynced); fsync per commit is {@code sync=true}.
 *
 * <p>A plain RocksDB has no read-modify-write transaction: {@link #increment} is a get and a put
 * under one lock of this adapter (the only writer of the counter).
 */
public final class RocksDbEngine implements KvEngine {
  private final Object incrementLock = new Object();
  private Options options;
  private LRUCache blockCache;
  private BloomFilter bloomFilter;
  private WriteOptions writeOptions;
  private RocksDB db;

  @Override
  public String id() {
    return "rocksdb";
  }

  @Override
  public String displayName() {
    return "RocksDB";
  }

  @Override
  public Class<?> libraryClass() {
    return RocksDB.class;
  }

  @Override
  public String settings(Settings settings) {
    String compression = settings.bestCompression()
        ? "ZSTD on every level, 16 KiB blocks"
        : "LZ4 upper levels + ZSTD bottommost, 4 KiB blocks";
    return compression + ", Bloom 10 bits/key, 256 MiB LRU block cache, max_background_jobs=2, "
        + (settings.durability() == Durability.FSYNC_PER_COMMIT ? "WriteOptions.sync=true" : "WriteOptions.sync=false (WAL on, not fsynced)");
  }

  @Override
  public void open(Path dir, Settings settings) {
    RocksDB.loadLibrary();
    blockCache = new LRUCache(256L << 20);
    bloomFilter = new BloomFilter(10);
    BlockBasedTableConfig table = new BlockBasedTableConfig()
        .setBlockCache(blockCache)
        .setFilterPolicy(bloomFilter)
        .setBlockSize(settings.bestCompression() ? 16 << 10 : 4 << 10);
    options = new Options()
        .setCreateIfMissing(true)
        .setMaxBackgroundJobs(2)
        .setTableFormatConfig(table)
        .setCompressionType(settings.bestCompression()
            ? CompressionType.ZSTD_COMPRESSION : CompressionType.LZ4_COMPRESSION)
        .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION);
    writeOptions = new WriteOptions().setSync(settings.durability() == Durability.FSYNC_PER_COMMIT);
    try {
      db = RocksDB.open(options, dir.toString());
    } catch (RocksDBException e) {
      throw new IllegalStateException("RocksDB open of " + dir + " failed", e);
    }
  }

  @Override
  public byte[] get(byte[] key) {
    try {
      return db.get(key);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    try {
      db.put(writeOptions, key, value);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void putBatch(List<byte[]> keys, List<byte[]> values) {
    try (WriteBatch batch = new WriteBatch()) {
      for (int i = 0; i < keys.size(); i++) {
        batch.put(keys.get(i), values.get(i));
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public int scan(byte[] fromInclusive, int maxEntries) {
    int count = 0;
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(fromInclusive); count < maxEntries && it.isValid(); it.next()) {
        if (it.key().length + it.value().length < 0) {
          throw new IllegalStateException();
        }
        count++;
      }
    }
    return count;
  }

  @Override
  public long increment(byte[] key) {
    synchronized (incrementLock) {
      byte[] next = Counters.incremented(get(key));
      put(key, next);
      return Counters.decode(next);
    }
  }

  @Override
  public void compact() {
    try {
      db.compactRange();
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String compaction() {
    return "compactRange() over the whole key space";
  }

  @Override
  public void close() {
    db.close();
    writeOptions.close();
    options.close();
    bloomFilter.close();
    blockCache.close();
  }
}
