package dev.cairn.benchmarks.engines;

import java.nio.file.Path;
import java.util.List;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * H2's MVStore with one {@code MVMap<byte[], byte[]>}. MVStore has no write-ahead log: a change
 * survives a process crash only once a {@code commit()} has written it to the file in a new chunk.
 * Process-crash-safe is therefore {@code commit()} after each write (the background auto-commit
 * alone could lose up to a second); fsync per commit adds {@code sync()}. Compression: {@code
 * compress()} (LZF) by default, {@code compressHigh()} (Deflate) for the footprint. Commits are
 * serialized under one lock of this adapter, each covering the caller's own write.
 */
public final class MvStoreEngine implements KvEngine {
  private final Object commitLock = new Object();
  private boolean fsync;
  private MVStore store;
  private MVMap<byte[], byte[]> map;

  @Override
  public String id() {
    return "mvstore";
  }

  @Override
  public String displayName() {
    return "H2 MVStore";
  }

  @Override
  public Class<?> libraryClass() {
    return MVStore.class;
  }

  @Override
  public String settings(Settings settings) {
    return (settings.bestCompression() ? "compressHigh() (Deflate)" : "compress() (LZF)")
        + ", MVMap<byte[], byte[]>, "
        + (settings.durability() == Durability.FSYNC_PER_COMMIT
            ? "commit() + sync() per write" : "commit() per write (no WAL: commit writes a chunk)");
  }

  @Override
  public void open(Path dir, Settings settings) {
    dir.toFile().mkdirs();
    fsync = settings.durability() == Durability.FSYNC_PER_COMMIT;
    MVStore.Builder builder = new MVStore.Builder().fileName(dir.resolve("mvstore.db").toString());
    builder = settings.bestCompression() ? builder.compressHigh() : builder.compress();
    store = builder.open();
    map = store.openMap("kv");
  }

  private void commit() {
    store.commit();
    if (fsync) {
      store.sync();
    }
  }

  @Override
  public byte[] get(byte[] key) {
    return map.get(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    synchronized (commitLock) {
      map.put(key, value);
      commit();
    }
  }

  @Override
  public void putBatch(List<byte[]> keys, List<byte[]> values) {
    synchronized (commitLock) {
      for (int i = 0; i < keys.size(); i++) {
        map.put(keys.get(i), values.get(i));
      }
      commit();
    }
  }

  @Override
  public int scan(byte[] fromInclusive, int maxEntries) {
    int count = 0;
    Cursor<byte[], byte[]> cursor = map.cursor(fromInclusive);
    while (count < maxEntries && cursor.hasNext()) {
      byte[] key = cursor.next();
      if (key.length + cursor.getValue().length < 0) {
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
      commit();
      return Counters.decode(next);
    }
  }

  @Override
  public void compact() {
    store.compactFile(60_000);
  }

  @Override
  public String compaction() {
    return "compactFile(60 s)";
  }

  @Override
  public void close() {
    store.close();
  }
}
