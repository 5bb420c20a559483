package dev.cairn.benchmarks.engines;

import java.nio.file.Path;
import java.util.List;

/**
 * One embedded key-value store behind the few operations the side-by-side workloads need, so every
 * workload runs unchanged on every engine.
 *
 * <p><b>Lifetime.</b> {@link #open} once, then any operation, then {@link #close} once. An adapter is
 * not reusable after close. <b>Thread safety:</b> after open, {@link #get}, {@link #put}, {@link
 * #putBatch}, {@link #scan} and {@link #increment} may be called from several threads at once;
 * {@link #compact} and {@link #close} only from one thread with no other call running.
 *
 * <p><b>Durability.</b> Every {@link #put}, {@link #putBatch} and {@link #increment} is one commit
 * with the {@link Settings#durability()} given to open: {@link Durability#PROCESS_CRASH_SAFE} means
 * the commit survives a crash of the process (it is in the operating system when the call returns)
 * without an fsync per commit; {@link Durability#FSYNC_PER_COMMIT} means it also survives a power
 * loss. {@link #settings} says in words how the adapter configures its engine for each.
 */
public interface KvEngine extends AutoCloseable {

  /** The durability class every engine is configured for in a workload. */
  enum Durability {
    /** Survives a process crash; no fsync per commit. */
    PROCESS_CRASH_SAFE,
    /** Each commit fsynced before it returns. */
    FSYNC_PER_COMMIT
  }

  /**
   * How to open an engine for a workload.
   *
   * @param durability the durability class of every commit
   * @param bestCompression true for the footprint workload: the engine's strongest compression;
   *     false for its recommended default
   * @param expectedEntries an upper bound of the number of keys (Chronicle Map sizes its file by it)
   * @param averageValueBytes the average value size (Chronicle Map sizes its entries by it)
   */
  record Settings(
      Durability durability, boolean bestCompression, long expectedEntries, int averageValueBytes) {}

  /** The short id used on the command line, e.g. {@code rocksdb}. */
  String id();

  /** The name shown in reports, e.g. {@code RocksDB}. */
  String displayName();

  /** A class of the engine's own library, whose jar names its version. */
  Class<?> libraryClass();

  /** Whether the engine keeps keys in order, so {@link #scan} works. */
  default boolean supportsScan() {
    return true;
  }

  /** Whether the engine can fsync each commit ({@link Durability#FSYNC_PER_COMMIT}). */
  default boolean supportsFsync() {
    return true;
  }

  /** In words: how the adapter configures the engine for {@code settings}. */
  String settings(Settings settings);

  /** Opens (creating if missing) the store in {@code dir}. */
  void open(Path dir, Settings settings);

  /** The value of {@code key}, or null when absent. */
  byte[] get(byte[] key);

  /** Puts one key in one commit. */
  void put(byte[] key, byte[] value);

  /** Puts every {@code keys[i] -> values[i]} in one commit. */
  void putBatch(List<byte[]> keys, List<byte[]> values);

  /**
   * Reads up to {@code maxEntries} entries in key order, from the first key at or after {@code
   * fromInclusive}, copying each key and value out of the engine; returns how many it read.
   *
   * @throws UnsupportedOperationException when {@link #supportsScan()} is false
   */
  int scan(byte[] fromInclusive, int maxEntries);

  /**
   * Adds one to the 8-byte big-endian counter at {@code key} (absent counts as 0), reading and
   * writing it in one transaction as the engine naturally does; returns the new value.
   */
  long increment(byte[] key);

  /** Reclaims the space of overwritten values where the engine can; otherwise does nothing. */
  void compact();

  /** In words: what {@link #compact} does for this engine. */
  String compaction();

  /** Flushes and releases the store. */
  @Override
  void close();
}
