package dev.cairn.store;

import java.util.Iterator;

/**
 * An ascending iteration over the entries of a key range as they were when the cursor opened: a
 * point-in-time view that never shows a later write or half of a batch. Values are read lazily,
 * block by block, so a cursor over a large range holds little memory.
 *
 * <p>Not thread-safe: one thread at a time. A cursor pins the files it may read until it is closed;
 * close it (try-with-resources) when done. Using it after close, or after the store closed, throws
 * {@link StoreClosedException}. {@link #remove()} is not supported.
 */
public interface Cursor extends Iterator<Entry>, AutoCloseable {
  /** Releases the files this cursor pins. Idempotent. */
  @Override
  void close();
}
