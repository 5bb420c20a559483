package dev.cairn.benchmarks.engines;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.mapdb.serializer.SerializerCompressionWrapper;

/**
 * MapDB 3 with a {@code BTreeMap<byte[], byte[]>} in a memory-mapped file, transactions on (its
 * write-ahead log: without it a crash can corrupt the file), values LZ4-compressed by MapDB's
 * {@code SerializerCompressionWrapper}. Process-crash-safe is {@code transactionEnable()} plus
 * {@code fileSyncDisable()} with {@code commit()} after each write; fsync per commit leaves
 * fsync on. MapDB has one transaction per store, not per thread: commits are serialized under one
 * lock of this adapter, each covering the caller's own write.
 */
public final class MapDbEngine implements KvEngine {
  private final Object commitLock = new Object();
  private DB db;
  private BTreeMap<byte[], byte[]> map;

  @Override
  public String id() {
    return "mapdb";
  }

  @Override
  public String displayName() {
    return "MapDB";
  }

  @Override
  public Class<?> libraryClass() {
    return DB.class;
  }

  @Override
  public String settings(Settings settings) {
    return "fileDB + fileMmapEnableIfSupported + transactionEnable, BTreeMap, values through "
        + "SerializerCompressionWrapper (LZ4), "
        + (settings.durability() == Durability.FSYNC_PER_COMMIT
            ? "commit() per write, fsync on" : "commit() per write, fileSyncDisable()");
  }

  @Override
  public void open(Path dir, Settings settings) {
    dir.toFile().mkdirs();
    DBMaker.Maker maker = DBMaker.fileDB(dir.resolve("mapdb.db").toFile())
        .fileMmapEnableIfSupported()
        .transactionEnable();
    if (settings.durability() == Durability.PROCESS_CRASH_SAFE) {
      maker.fileSyncDisable();
    }
    db = maker.make();
    map = db.treeMap("kv", Serializer.BYTE_ARRAY,
            new SerializerCompressionWrapper<>(Serializer.BYTE_ARRAY))
        .createOrOpen();
  }

  @Override
  public byte[] get(byte[] key) {
    return map.get(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    synchronized (commitLock) {
      map.put(key, value);
      db.commit();
    }
  }

  @Override
  public void putBatch(List<byte[]> keys, List<byte[]> values) {
    synchronized (commitLock) {
      for (int i = 0; i < keys.size(); i++) {
        map.put(keys.get(i), values.get(i));
      }
      db.commit();
    }
  }

  @Override
  public int scan(byte[] fromInclusive, int maxEntries) {
    int count = 0;
    for (Map.Entry<byte[], byte[]> entry : map.tailMap(fromInclusive, true).entrySet()) {
      if (count == maxEntries) {
        break;
      }
      if (entry.getKey().length + entry.getValue().length < 0) {
        throw new IllegalStateException();
      }
      count++;
    }
    return count;
  }

  @Override
  public long increment(byte[] key) {
    synchronized (commitLock) {
      byte[] next = Counters.incremented(map.get(key));
      map.put(key, next);
      db.commit();
      return Counters.decode(next);
    }
  }

  @Override
  public void compact() {
    db.getStore().compact();
  }

  @Override
  public String compaction() {
    return "db.getStore().compact(), which does nothing in MapDB 3.1.0's transactional store (StoreWAL)";
  }

  @Override
  public void close() {
    db.close();
  }
}
