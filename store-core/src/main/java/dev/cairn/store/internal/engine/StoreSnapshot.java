package dev.cairn.store.internal.engine;

import dev.cairn.store.Cursor;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Snapshot;
import dev.cairn.store.StoreClosedException;
import dev.cairn.store.WriteBatch;
import dev.cairn.store.internal.index.KeyIndex;
import dev.cairn.store.internal.index.Version;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A registered point-in-time view. Thread-safe. While registered, writers keep the versions it may
 * read and compaction keeps the files they live in.
 */
final class StoreSnapshot implements Snapshot {
  private final StoreEngine engine;
  private final KeyIndex.Registration registration;
  private final AtomicBoolean closed = new AtomicBoolean();

  StoreSnapshot(StoreEngine engine, KeyIndex.Registration registration) {
    this.engine = engine;
    this.registration = registration;
  }

  @Override
  public long sequence() {
    return registration.sequence();
  }

  @Override
  public byte[] get(byte[] key) {
    WriteBatch.checkKey(key);
    checkOpen();
    for (;;) {
      Version v = engine.index().visibleAt(key, registration.sequence());
      if (v == null || v.isTombstone()) {
        return null;
      }
      byte[] value = engine.valueOf(key, v);
      if (value != null) {
        return value;
      }
    }
  }

  @Override
  public Cursor scan(KeyRange range) {
    Objects.requireNonNull(range, "range");
    checkOpen();
    return new SnapshotCursor(engine, registration, range, false);
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new StoreClosedException("snapshot at sequence " + registration.sequence() + " is closed");
    }
    engine.checkOpen();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      engine.snapshotClosed(registration);
    }
  }
}
