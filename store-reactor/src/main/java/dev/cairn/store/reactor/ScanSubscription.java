package dev.cairn.store.reactor;

import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import org.reactivestreams.Subscriber;
import reactor.core.scheduler.Scheduler;

/**
 * {@link ReactiveStore#scan}: a {@link Cursor} opened when the subscription starts, read one entry
 * per unit of demand, and closed on completion, error or cancellation. Nothing is read ahead of
 * demand but the one entry the cursor itself looks ahead to know whether the range has ended, so
 * the subscriber's pace is the read pace and nothing is buffered.
 */
final class ScanSubscription extends DrainSubscription<Entry> {
  private final Store store;
  private final KeyRange range;
  private Cursor cursor; // drain thread only

  ScanSubscription(Subscriber<? super Entry> actual, Scheduler scheduler, Store store, KeyRange range) {
    super(actual, scheduler);
    this.store = store;
    this.range = range;
  }

  @Override
  void drain() {
    if (cursor == null) {
      cursor = store.scan(range);
    }
    long demand = requested();
    long emitted = 0;
    while (emitted != demand) {
      if (isCancelled()) {
        break;
      }
      if (!cursor.hasNext()) {
        complete();
        return;
      }
      actual.onNext(cursor.next());
      emitted++;
    }
    if (emitted != 0 && !isCancelled() && !cursor.hasNext()) {
      complete(); // the range ended exactly at the demand: say so without waiting for more
      return;
    }
    produced(emitted);
  }

  @Override
  void release() {
    if (cursor != null) {
      cursor.close();
    }
  }
}
