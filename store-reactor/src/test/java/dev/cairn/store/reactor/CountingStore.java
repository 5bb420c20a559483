package dev.cairn.store.reactor;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Store} that counts what the reactive layer does with its cursors: scan cursors and
 * change cursors opened and closed, entries read from the store (including the one a cursor reads
 * ahead to answer {@code hasNext}), polls made and the changes they returned, and
 * polls that asked to wait (a non-zero timeout would park the polling thread).
 */
final class CountingStore extends ForwardingStore {
  final AtomicInteger scansOpened = new AtomicInteger();
  final AtomicInteger scansClosed = new AtomicInteger();
  final AtomicLong entriesRead = new AtomicLong();
  final AtomicInteger feedsOpened = new AtomicInteger();
  final AtomicInteger feedsClosed = new AtomicInteger();
  final AtomicInteger polls = new AtomicInteger();
  final AtomicInteger waitingPolls = new AtomicInteger();
  final AtomicLong changesPolled = new AtomicLong();
  final AtomicLong lastPolledSequence = new AtomicLong();

  CountingStore(Store delegate) {
    super(delegate);
  }

  @Override
  public Cursor scan(KeyRange range) {
    Cursor cursor = delegate.scan(range);
    scansOpened.incrementAndGet();
    return new Cursor() {
      private boolean closed;
      private boolean loaded; // the cursor holds an entry it read ahead to answer hasNext()

      @Override
      public boolean hasNext() {
        boolean more = cursor.hasNext();
        if (more && !loaded) {
          loaded = true;
          entriesRead.incrementAndGet();
        }
        return more;
      }

      @Override
      public Entry next() {
        hasNext();
        loaded = false;
        return cursor.next();
      }

      @Override
      public void close() {
        cursor.close();
        if (!closed) {
          closed = true;
          scansClosed.incrementAndGet();
        }
      }
    };
  }

  @Override
  public ChangeCursor changes(ChangeQuery query) {
    ChangeCursor cursor = delegate.changes(query);
    feedsOpened.incrementAndGet();
    return new ChangeCursor() {
      private boolean closed;

      @Override
      public List<Change> poll(Duration timeout) {
        polls.incrementAndGet();
        if (!timeout.isZero()) {
          waitingPolls.incrementAndGet();
        }
        List<Change> changes = cursor.poll(timeout);
        changesPolled.addAndGet(changes.size());
        if (!changes.isEmpty()) {
          lastPolledSequence.set(changes.get(changes.size() - 1).sequence());
        }
        return changes;
      }

      @Override
      public CompletableFuture<Void> onAvailable() {
        return cursor.onAvailable();
      }

      @Override
      public long position() {
        return cursor.position();
      }

      @Override
      public void close() {
        cursor.close();
        if (!closed) {
          closed = true;
          feedsClosed.incrementAndGet();
        }
      }
    };
  }
}
