package dev.cairn.store;

import java.nio.charset.StandardCharsets;

/**
 * A read-only view of the store at one commit: every read through it sees exactly the commits up
 * to {@link #sequence()}, whatever is written meanwhile. Thread-safe. Holding a snapshot keeps the
 * versions and files it may read alive, so close it promptly; reads after close throw {@link
 * StoreClosedException}.
 */
public interface Snapshot extends AutoCloseable {
  /** Sequence number of the last commit this snapshot sees. */
  long sequence();

  /** The value of {@code key} at this snapshot, or null when absent. */
  byte[] get(byte[] key);

  /** {@link #get(byte[])} over UTF-8 encodings. */
  default String get(String key) {
    byte[] value = get(key.getBytes(StandardCharsets.UTF_8));
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  /** Whether {@code key} has a value at this snapshot. */
  default boolean contains(byte[] key) {
    return get(key) != null;
  }

  /** An ascending cursor over {@code range} at this snapshot; close it before the snapshot. */
  Cursor scan(KeyRange range);

  /** Releases what the snapshot pins. Idempotent. Cursors opened from it must be closed first. */
  @Override
  void close();
}
