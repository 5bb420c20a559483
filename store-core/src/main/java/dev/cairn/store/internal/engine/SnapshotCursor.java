package dev.cairn.store.internal.engine;

import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.StoreClosedException;
import dev.cairn.store.internal.index.KeyIndex;
import dev.cairn.store.internal.index.MergedIterator;
import dev.cairn.store.internal.index.Version;
import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.segment.SegmentRecord;
import dev.cairn.store.internal.util.EntryAccess;
import java.util.NoSuchElementException;

/**
 * A cursor over the index at one registered sequence. Values are read lazily, one entry ahead.
 * Not thread-safe. A cursor opened by {@code Store.scan} owns its registration and releases it on
 * close; one opened from a snapshot borrows the snapshot's.
 */
final class SnapshotCursor implements Cursor {
  private final StoreEngine engine;
  private final KeyIndex.Registration registration;
  private final boolean ownsRegistration;
  /** The heads in range, walked without an entry object per key. */
  private final MergedIterator keys;
  private Entry next;
  private boolean closed;
  /**
   * The block the last value read from each of up to {@link #MEMO} segments came from. Keys in
   * order are spread over the segments, but within one segment they walk its blocks in order, so
   * most values are in a block remembered here and need no block cache lookup.
   */
  private final Segment[] memoSegments = new Segment[MEMO];
  private final int[] memoOffsets = new int[MEMO];
  private final byte[][] memoBlocks = new byte[MEMO][];
  private int memoVictim;

  private static final int MEMO = 16;

  SnapshotCursor(StoreEngine engine, KeyIndex.Registration registration, KeyRange range, boolean ownsRegistration) {
    this.engine = engine;
    this.registration = registration;
    this.ownsRegistration = ownsRegistration;
    this.keys = engine.index().walk(range.fromInclusive(), range.toExclusive());
  }

  @Override
  public boolean hasNext() {
    checkOpen();
    if (next != null) {
      return true;
    }
    while (keys.advance()) {
      byte[] key = keys.key();
      // The head read by the walk, after registration, still chains to the version this cursor sees.
      Version v = keys.version().visibleAt(registration.sequence());
      for (;;) {
        if (v == null || v.isTombstone()) {
          break;
        }
        byte[] value = valueOf(key, v);
        if (value != null) {
          // The value is a fresh copy; Entry hands out copies of the key, so it may be the index's own.
          next = EntryAccess.adopt(key, value, v.sequence);
          return true;
        }
        v = engine.index().visibleAt(key, registration.sequence()); // segment released: look again
      }
    }
    return false;
  }

  @Override
  public Entry next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Entry e = next;
    next = null;
    return e;
  }

  /** As {@link StoreEngine#valueOf}, reusing the segment's last block when {@code v} is in it. */
  private byte[] valueOf(byte[] key, Version v) {
    if (v.isInMemory()) {
      return v.copyOfValue();
    }
    int slot = -1;
    for (int i = 0; i < MEMO; i++) {
      if (memoSegments[i] == v.segment) {
        slot = i;
        break;
      }
    }
    byte[] block;
    if (slot >= 0 && memoOffsets[slot] == v.blockOffset) {
      block = memoBlocks[slot];
    } else {
      block = engine.storedBlock(v);
      if (block == null) {
        return null;
      }
      if (slot < 0) {
        slot = memoVictim;
        memoVictim = (memoVictim + 1) % MEMO;
      }
      memoSegments[slot] = v.segment;
      memoOffsets[slot] = v.blockOffset;
      memoBlocks[slot] = block;
    }
    return SegmentRecord.valueOf(v.segment, v.blockOffset, block, v.recordOffset, v.sequence, key);
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("cursor is closed");
    }
    engine.checkOpen();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (ownsRegistration) {
        engine.snapshotClosed(registration);
      }
    }
  }
}
