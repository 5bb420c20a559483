package dev.cairn.store.reactor;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeHistoryLostException;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Codec;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Snapshot;
import dev.cairn.store.Store;
import dev.cairn.store.StoreClosedException;
import dev.cairn.store.StoreException;
import dev.cairn.store.WriteBatch;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A Project Reactor view of a {@link Store}. <b>Lifetime:</b> it does not own the store: the
 * application opens the {@code Store}, wraps it with {@link #wrap}, and closes the store itself once
 * its subscriptions are done; closing the store ends running scans and change feeds with {@link
 * StoreClosedException}, and later subscriptions fail with it. <b>Thread safety:</b> immutable and
 * safe to share between any number of threads, like the store. <b>Durability:</b> a write's Mono
 * completes when the store's {@link dev.cairn.store.Durability} is met, exactly like {@link
 * Store#write}.
 *
 * <h2>Cold, and where the work runs</h2>
 * Every {@code Mono} and {@code Flux} is cold: nothing reads or writes before subscription, and each
 * subscription runs again. Calls that may read files or wait for the store (reads, scans, change
 * polls, and the conditional writes {@link #delete}, {@link #compareAndSet} and {@link #update},
 * which read the current value first) run on the <em>blocking scheduler</em> given to {@link
 * #wrap(Store, Scheduler)}, {@link Schedulers#boundedElastic()} by default, which must be one that
 * allows blocking. Unconditional writes ({@link #put}, {@link #write}) hand the batch to {@link
 * Store#writeAsync} from that scheduler and complete when the store's writer thread completes the
 * future: no thread waits for the fsync, and concurrent writes share WAL writes and fsyncs (group
 * commit). So no call of this class blocks the subscribing or requesting thread, whether it is a
 * Netty event loop or a {@code parallel} worker.
 *
 * <h2>Where signals arrive</h2>
 * Every {@code onNext}, {@code onComplete} and {@code onError} is emitted on a thread of the blocking
 * scheduler, never on the store's own threads (whose time belongs to every writer). The one
 * exception is {@link #watch}, whose latest-value buffer may also deliver on the thread that
 * requests. Use {@code publishOn} to move elsewhere.
 *
 * <h2>Cancellation</h2>
 * Cancelling never interrupts a thread: a call already inside the store finishes and its result is
 * dropped (an interrupt inside {@code FileChannel} I/O would close the channel for every thread).
 * Scans and change feeds close their cursor on cancellation, completion and error. A write handed to
 * the store before cancellation may still commit.
 *
 * <h2>Arguments and errors</h2>
 * Arguments are checked and copied when a method is called, as the core checks them: a null key
 * throws {@link NullPointerException}, an oversized key or value {@link IllegalArgumentException},
 * and the caller may reuse its arrays (and batches) as soon as the method returns. Everything the
 * store reports at run time arrives as {@code onError} with the core's own {@link StoreException}
 * subclass, unwrapped.
 */
public final class ReactiveStore {
  private final Store store;
  private final Scheduler scheduler;

  private ReactiveStore(Store store, Scheduler scheduler) {
    this.store = Objects.requireNonNull(store, "store");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  /** Wraps {@code store}, running blocking calls on {@link Schedulers#boundedElastic()}. */
  public static ReactiveStore wrap(Store store) {
    return new ReactiveStore(store, Schedulers.boundedElastic());
  }

  /**
   * Wraps {@code store}, running blocking calls on {@code blockingScheduler} and emitting signals
   * from it. It must allow blocking (not {@code parallel()} nor {@code single()}); a bounded one,
   * such as {@code Schedulers.fromExecutorService} over a fixed pool, bounds how many threads wait
   * on the store at once. This class never disposes it.
   */
  public static ReactiveStore wrap(Store store, Scheduler blockingScheduler) {
    return new ReactiveStore(store, blockingScheduler);
  }

  /** The wrapped store. */
  public Store store() {
    return store;
  }

  /** The scheduler blocking calls run on, and signals are emitted from. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** A view that encodes keys and decodes values through codecs; see {@link TypedReactiveStore}. */
  public <K, V> TypedReactiveStore<K, V> typed(Codec<K> keys, Codec<V> values) {
    return new TypedReactiveStore<>(this, keys, values);
  }

  // ---------------------------------------------------------------- point operations

  /** The value of {@code key}; empty when absent (never a null value). */
  public Mono<byte[]> get(byte[] key) {
    byte[] k = checkedKey(key);
    return Offload.call(scheduler, () -> store.get(k));
  }

  /** Sets {@code key} to {@code value}; emits the commit's sequence once it is durable. */
  public Mono<Long> put(byte[] key, byte[] value) {
    return commit(WriteBatch.create().put(key, value));
  }

  /** Removes {@code key}; emits whether a live value was removed. */
  public Mono<Boolean> delete(byte[] key) {
    byte[] k = checkedKey(key);
    return Offload.call(scheduler, () -> store.delete(k));
  }

  /**
   * Atomically sets {@code key} to {@code newValue} if its value equals {@code expected}; see {@link
   * Store#compareAndSet}. A null {@code expected} means absent, a null {@code newValue} deletes.
   * Emits whether the write happened.
   */
  public Mono<Boolean> compareAndSet(byte[] key, byte[] expected, byte[] newValue) {
    byte[] k = checkedKey(key);
    byte[] e = expected == null ? null : checkedValue(expected);
    byte[] n = newValue == null ? null : checkedValue(newValue);
    return Offload.call(scheduler, () -> store.compareAndSet(k, e, n));
  }

  /**
   * Atomically replaces the value of {@code key} with {@code fn(current)}; see {@link Store#update}.
   * {@code fn} gets null when the key is absent, returns null to delete, may run more than once and
   * runs on the blocking scheduler. Emits the new value, or completes empty when the key ends absent.
   */
  public Mono<byte[]> update(byte[] key, UnaryOperator<byte[]> fn) {
    byte[] k = checkedKey(key);
    Objects.requireNonNull(fn, "fn");
    return Offload.call(scheduler, () -> store.update(k, fn));
  }

  /**
   * Commits every operation of {@code batch}, all or nothing, and emits the commit's sequence once
   * it is durable (the last sequence, for an empty batch). The batch is copied now, so the caller may
   * change or reuse it at once, and every subscription commits the same operations.
   */
  public Mono<Long> write(WriteBatch batch) {
    Objects.requireNonNull(batch, "batch");
    WriteBatch copy = WriteBatch.create();
    batch.forEach(new WriteBatch.Handler() {
      @Override
      public void put(byte[] key, byte[] value) {
        copy.put(key, value);
      }

      @Override
      public void delete(byte[] key) {
        copy.delete(key);
      }
    });
    return commit(copy);
  }

  private Mono<Long> commit(WriteBatch privateBatch) {
    return Offload.future(scheduler, () -> store.writeAsync(privateBatch));
  }

  // ---------------------------------------------------------------- streams

  /**
   * The entries of {@code range} in ascending key order, as they were when the subscription
   * started (point in time). Demand-driven: entries are read from the store as they are requested,
   * so {@code scan(KeyRange.all()).take(10)} reads about 10 entries, and a slow subscriber makes
   * nothing buffer. The cursor is closed on completion, error and cancellation.
   */
  public Flux<Entry> scan(KeyRange range) {
    Objects.requireNonNull(range, "range");
    return Flux.from(subscriber -> new ScanSubscription(subscriber, scheduler, store, range).start());
  }

  /**
   * The change feed of {@link Store#changes}, in commit order, each change once, as a Flux that
   * never completes by itself. Resume after a restart with {@code ChangeQuery.after(sequence)} where
   * {@code sequence} is the last {@link Change#sequence()} fully handled. The cursor opens when the
   * subscription starts (so {@link ChangeQuery#fromNow()} means from then).
   *
   * <p>Backpressure: the cursor is polled only while there is demand, and the changes of one poll
   * beyond the demand (a poll returns whole commits, up to about a thousand changes) wait in a queue
   * bounded by that poll; nothing is dropped and nothing else is buffered. With no change to read
   * the subscription waits on {@link dev.cairn.store.ChangeCursor#onAvailable()}, holding no thread.
   *
   * <p>Errors: {@link ChangeHistoryLostException} when the query resumes before the retained
   * history; {@link IllegalArgumentException} when it resumes after a sequence not yet committed;
   * {@link StoreClosedException} when the store closes. The cursor is closed on error and
   * cancellation.
   */
  public Flux<Change> changes(ChangeQuery query) {
    Objects.requireNonNull(query, "query");
    return Flux.from(subscriber -> new ChangeFeedSubscription(subscriber, scheduler, store, query).start());
  }

  /**
   * The value of {@code key} now (empty {@code Optional} when absent), then each new value as it
   * is committed; consecutive equal values are emitted once. A subscriber slower than the writes
   * gets the latest value, skipping intermediate ones. The current value is read from a snapshot
   * at sequence S and the changes followed are exactly those after S, so no write between the read
   * and the start of the feed is missed. Never completes by itself; errors as {@link #changes}.
   */
  public Flux<Optional<byte[]>> watch(byte[] key) {
    byte[] k = checkedKey(key);
    KeyRange exactKey = KeyRange.between(k, Arrays.copyOf(k, k.length + 1)); // [k, k + 0x00) holds only k
    Mono<Start> start = Offload.call(scheduler, () -> {
      try (Snapshot snapshot = store.snapshot()) {
        return new Start(snapshot.get(k), snapshot.sequence());
      }
    });
    return start
        .flatMapMany(s -> changes(ChangeQuery.after(s.sequence()).range(exactKey))
            .map(change -> Optional.ofNullable(change.value()))
            .startWith(Optional.ofNullable(s.value())))
        .distinctUntilChanged(Function.identity(), ReactiveStore::sameValue)
        .onBackpressureLatest();
  }

  /** The value of a watched key at the sequence its feed follows. */
  private record Start(byte[] value, long sequence) {}

  private static boolean sameValue(Optional<byte[]> a, Optional<byte[]> b) {
    return Arrays.equals(a.orElse(null), b.orElse(null));
  }

  private static byte[] checkedKey(byte[] key) {
    WriteBatch.checkKey(key);
    return key.clone();
  }

  private static byte[] checkedValue(byte[] value) {
    WriteBatch.checkValue(value);
    return value.clone();
  }
}
