package dev.cairn.benchmarks.engines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.lmdbjava.CopyFlags;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.CursorIterable.KeyVal;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;

/**
 * LMDB (lmdbjava) with one named database and a 64 GiB map (address space only; the file grows as
 * pages are written). Process-crash-safe is {@code MDB_NOSYNC}: each commit is written to the file
 * but not fsynced, which a process crash cannot undo; fsync per commit is LMDB's default. One write
 * transaction per put, per batch and per {@link #increment} (get and put in the same transaction).
 * LMDB has no compression. Reads open a short read-only transaction each ({@code MDB_NOTLS}).
 */
public final class LmdbEngine implements KvEngine {
  private static final long MAP_BYTES = 64L << 30;
  private static final int MAX_VALUE_BYTES = 64 << 10;

  private final ThreadLocal<ByteBuffer> keyBuffer =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(511));
  private final ThreadLocal<ByteBuffer> valueBuffer =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(MAX_VALUE_BYTES));
  private Path dir;
  private Settings settings;
  private Env<ByteBuffer> env;
  private Dbi<ByteBuffer> db;

  @Override
  public String id() {
    return "lmdb";
  }

  @Override
  public String displayName() {
    return "LMDB";
  }

  @Override
  public Class<?> libraryClass() {
    return Env.class;
  }

  @Override
  public String settings(Settings settings) {
    return "no compression (LMDB has none), 64 GiB map, MDB_NOTLS, "
        + (settings.durability() == Durability.FSYNC_PER_COMMIT
            ? "default flags (fsync on every commit)" : "MDB_NOSYNC (commits written, not fsynced)");
  }

  @Override
  public void open(Path dir, Settings settings) {
    this.dir = dir;
    this.settings = settings;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EnvFlags[] flags = settings.durability() == Durability.FSYNC_PER_COMMIT
        ? new EnvFlags[] {EnvFlags.MDB_NOTLS}
        : new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC};
    env = Env.create().setMapSize(MAP_BYTES).setMaxDbs(1).setMaxReaders(256)
        .open(dir.toFile(), flags);
    db = env.openDbi("kv", DbiFlags.MDB_CREATE);
  }

  private ByteBuffer key(byte[] key) {
    ByteBuffer buffer = keyBuffer.get().clear();
    return buffer.put(key).flip();
  }

  private ByteBuffer value(byte[] value) {
    ByteBuffer buffer = valueBuffer.get().clear();
    return buffer.put(value).flip();
  }

  private static byte[] copy(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  @Override
  public byte[] get(byte[] key) {
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      ByteBuffer found = db.get(txn, key(key));
      return found == null ? null : copy(found);
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      db.put(txn, key(key), value(value));
      txn.commit();
    }
  }

  @Override
  public void putBatch(List<byte[]> keys, List<byte[]> values) {
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      for (int i = 0; i < keys.size(); i++) {
        db.put(txn, key(keys.get(i)), value(values.get(i)));
      }
      txn.commit();
    }
  }

  @Override
  public int scan(byte[] fromInclusive, int maxEntries) {
    int count = 0;
    try (Txn<ByteBuffer> txn = env.txnRead();
        CursorIterable<ByteBuffer> entries = db.iterate(txn, KeyRange.atLeast(key(fromInclusive)))) {
      for (KeyVal<ByteBuffer> entry : entries) {
        if (count == maxEntries) {
          break;
        }
        if (copy(entry.key()).length + copy(entry.val()).length < 0) {
          throw new IllegalStateException();
        }
        count++;
      }
    }
    return count;
  }

  @Override
  public long increment(byte[] key) {
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      ByteBuffer found = db.get(txn, key(key));
      byte[] next = Counters.incremented(found == null ? null : copy(found));
      db.put(txn, key(key), value(next));
      txn.commit();
      return Counters.decode(next);
    }
  }

  /** A compacting copy ({@code MDB_CP_COMPACT}) replaces the data file; the store is reopened. */
  @Override
  public void compact() {
    Path copyDir = dir.resolveSibling(dir.getFileName() + "-compact");
    try {
      Files.createDirectories(copyDir);
      env.copy(copyDir.toFile(), CopyFlags.MDB_CP_COMPACT);
      env.close();
      Files.move(copyDir.resolve("data.mdb"), dir.resolve("data.mdb"),
          StandardCopyOption.REPLACE_EXISTING);
      Files.delete(copyDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    open(dir, settings);
  }

  @Override
  public String compaction() {
    return "Env.copy(MDB_CP_COMPACT) into a new file that replaces data.mdb";
  }

  @Override
  public void close() {
    env.close();
  }
}
