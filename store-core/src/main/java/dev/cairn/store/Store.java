package dev.cairn.store;

import dev.cairn.store.internal.engine.StoreEngine;
import dev.cairn.store.internal.map.StoreMap;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;

/**
 * A persistent, ordered map from byte-string keys to byte-string values, stored in one directory.
 *
 * <p><b>Thread safety.</b> A store is safe for concurrent use by any number of threads. Concurrent
 * writers share WAL writes and fsyncs (group commit).
 *
 * <p><b>Lifetime.</b> {@link #open} takes an exclusive lock on the directory, released by {@link
 * #close()}; a second open of the same directory, in this JVM or another process, throws {@link
 * StoreLockedException}. After close every method throws {@link StoreClosedException}.
 *
 * <p><b>Durability.</b> Every write gets a sequence number, strictly increasing and never reused. A
 * write returns when the {@link Durability} of the store is met: with the default {@code
 * periodic(100 ms)} the write survives a crash of the process, and with {@link Durability#SYNC} it
 * also survives a power loss. After any crash the store holds a prefix of the commit order, batches
 * all or nothing.
 *
 * <p><b>Reads</b> see every write that returned before them. {@link #scan} and {@link #snapshot}
 * are point in time. Keys are ordered by unsigned byte comparison; {@code String} variants use
 * UTF-8. Keys are at most {@link StoreOptions#MAX_KEY_BYTES}, values at most {@link
 * StoreOptions#MAX_VALUE_BYTES}; a null or oversized argument throws {@link NullPointerException}
 * or {@link IllegalArgumentException} and writes nothing.
 */
public interface Store extends AutoCloseable {

  /** Opens the store in {@code dir} with default options, creating the directory if missing. */
  static Store open(Path dir) {
    return open(dir, StoreOptions.defaults());
  }

  /** Opens the store in {@code dir}, creating the directory if missing, and recovers after a crash. */
  static Store open(Path dir, StoreOptions options) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    return StoreEngine.open(dir, options);
  }

  /** The directory of this store. */
  Path directory();

  /** The value of {@code key}, or null when absent. */
  byte[] get(byte[] key);

  /** The UTF-8 value of the UTF-8 {@code key}, or null when absent. */
  default String get(String key) {
    byte[] value = get(utf8(key, "key"));
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  /** Whether {@code key} has a value. */
  default boolean contains(byte[] key) {
    return get(key) != null;
  }

  /** Sets {@code key} to {@code value}; returns the commit's sequence number. */
  long put(byte[] key, byte[] value);

  /** {@link #put(byte[], byte[])} over UTF-8 encodings. */
  default long put(String key, String value) {
    return put(utf8(key, "key"), utf8(value, "value"));
  }

  /** Removes {@code key}; true if a live value was removed. Deleting an absent key writes nothing. */
  boolean delete(byte[] key);

  /** {@link #delete(byte[])} over the UTF-8 encoding. */
  default boolean delete(String key) {
    return delete(utf8(key, "key"));
  }

  /**
   * Atomically sets {@code key} to {@code newValue} if its current value equals {@code expected}.
   * A null {@code expected} means "absent"; a null {@code newValue} deletes. Returns whether the
   * write happened.
   */
  boolean compareAndSet(byte[] key, byte[] expected, byte[] newValue);

  /**
   * Atomically replaces the value of {@code key} with {@code fn(current)}: {@code fn} gets null when
   * the key is absent and returns null to delete. Returns the new value (null if deleted). {@code
   * fn} may run more than once under contention, so it must have no side effects; when it returns
   * a value equal to the current one nothing is written.
   */
  byte[] update(byte[] key, UnaryOperator<byte[]> fn);

  /** Commits every operation of {@code batch}, all or nothing; returns the commit's sequence. */
  long write(WriteBatch batch);

  /**
   * Commits {@code batch} without blocking the caller. The future completes on a store thread once
   * the store's durability is met, with the commit's sequence, or exceptionally with a {@link
   * StoreException}. The batch is encoded before this method returns, so the caller may reuse it.
   */
  CompletableFuture<Long> writeAsync(WriteBatch batch);

  /** An ascending point-in-time cursor over {@code range}; close it when done. */
  Cursor scan(KeyRange range);

  /** A point-in-time read view; close it when done. */
  Snapshot snapshot();

  /**
   * Opens a cursor on the change feed: every commit after a starting point, in commit order, each
   * exactly once, also across restarts of the store, read from the retained history on disk. See
   * {@link ChangeQuery} for where it starts and {@link ChangeCursor} for how to consume it.
   *
   * @throws IllegalArgumentException if the query resumes after a sequence not yet committed
   * @throws ChangeHistoryLostException if the history after the requested sequence was deleted
   */
  ChangeCursor changes(ChangeQuery query);

  /** Sequence number of the last commit (0 for a store never written). */
  long lastSequence();

  /**
   * A live {@link ConcurrentMap} view of the store, through codecs for keys and values. It keeps
   * the whole {@code ConcurrentMap} contract as {@code ConcurrentSkipListMap} does, iterates in key
   * byte order with weakly consistent iterators, and rejects null keys and values with {@link
   * NullPointerException}. {@code size()} is exact at the moment it is called.
   */
  default <K, V> ConcurrentMap<K, V> asMap(Codec<K> keys, Codec<V> values) {
    return new StoreMap<>(this, keys, values);
  }

  /** Current statistics. */
  StoreStats stats();

  /** Makes every acknowledged write durable now (one WAL fsync). */
  void flush();

  /**
   * Rewrites every segment that holds overwritten or deleted values, and returns when their space
   * is reclaimed. Readers and writers keep going meanwhile.
   */
  void compact();

  /**
   * Flushes and releases the directory. Idempotent. Open cursors and snapshots stop working. If the
   * final flush fails, the store still stops its threads and releases the directory, then throws.
   */
  @Override
  void close();

  private static byte[] utf8(String s, String what) {
    return Objects.requireNonNull(s, what).getBytes(StandardCharsets.UTF_8);
  }
}
