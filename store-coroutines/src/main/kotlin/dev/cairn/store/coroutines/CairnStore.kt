package dev.cairn.store.coroutines

import dev.cairn.store.Change
import dev.cairn.store.ChangeQuery
import dev.cairn.store.Entry
import dev.cairn.store.KeyRange
import dev.cairn.store.Store
import dev.cairn.store.StoreStats
import dev.cairn.store.WriteBatch
import java.io.Closeable
import java.nio.file.Path
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import kotlinx.serialization.json.Json

/**
 * A Cairn [Store] for coroutines: `suspend` functions for one-shot operations, cold [Flow]s for
 * watches, the change feed and scans, and typed values through kotlinx-serialization.
 *
 * **Lifetime.** [open] creates, locks and recovers a directory; [close] flushes and releases it
 * (`CairnStore.open(dir).use { ... }`). After close every call throws
 * `dev.cairn.store.StoreClosedException`, and running flows fail with it.
 *
 * **Thread-safety.** Safe for any number of coroutines and threads at once. Flows are cold: each
 * collection opens its own cursor and closes it when the collector completes, fails or is cancelled.
 *
 * **Main-safety.** Every call that may touch the disk runs on [ioDispatcher], never on the
 * caller's thread, so the suspend functions may be called from a UI thread or
 * [Dispatchers.Default]; only [close] blocks its caller. The blocking calls run under a plain
 * `withContext(ioDispatcher)`: cancelling the caller never interrupts a thread inside file I/O
 * (an interrupt would close the store's `FileChannel`s). The call runs to its end, the cancelled
 * caller resumes with `CancellationException` right after it, and whether a cancelled write
 * committed is unknown to that caller.
 *
 * **Durability.** [put] and [write] resume once the store's `Durability` is met, awaiting the
 * core's `writeAsync` future: no thread is parked meanwhile. [compareAndSet], [delete] and
 * [update] are conditional commits, which the core offers only as blocking calls: each holds an
 * [ioDispatcher] thread until its commit is acknowledged.
 */
public class CairnStore private constructor(
  /** The blocking Java API of the same store, for code that runs on threads of its own. */
  public val store: Store,
  /** Where blocking calls into [store] run. */
  public val ioDispatcher: CoroutineDispatcher,
  /** Encodes and decodes the values of [TypedKey]s. */
  public val json: Json,
) : Closeable {

  public companion object {
    /** Threads of the default [ioDispatcher]: concurrent blocking reads and conditional writes. */
    public const val DEFAULT_IO_PARALLELISM: Int = 8

    /**
     * Opens the store in [directory], creating it if missing and recovering after a crash, with
     * options set by [configure]. The open itself runs on the configured I/O dispatcher and is not
     * cancellable: a store that opens is always returned, so that `use { }` can close it.
     *
     * @throws dev.cairn.store.StoreLockedException if another store holds the directory
     */
    public suspend fun open(directory: Path, configure: CairnStoreConfig.() -> Unit = {}): CairnStore {
      val config = CairnStoreConfig().apply(configure)
      val options = config.storeOptions()
      val store = withContext(config.ioDispatcher + NonCancellable) { Store.open(directory, options) }
      return CairnStore(store, config.ioDispatcher, config.json)
    }

    /** Wraps a [store] that is already open; [close] closes it. */
    public fun wrap(store: Store, ioDispatcher: CoroutineDispatcher = defaultIoDispatcher(), json: Json = Json): CairnStore =
      CairnStore(store, ioDispatcher, json)

    internal fun defaultIoDispatcher(): CoroutineDispatcher = Dispatchers.IO.limitedParallelism(DEFAULT_IO_PARALLELISM)
  }

  private suspend inline fun <R> io(crossinline block: () -> R): R = withContext(ioDispatcher) { block() }

  // ---------------------------------------------------------------- raw keys and values

  /** The value of [key], or null when absent. */
  public suspend operator fun get(key: ByteArray): ByteArray? = io { store.get(key) }

  /** The UTF-8 value of the UTF-8 [key], or null when absent. */
  public suspend operator fun get(key: String): String? = io { store.get(key) }

  /** Sets [key] to [value]; resumes once durable, with the commit's sequence number. */
  public suspend fun put(key: ByteArray, value: ByteArray): Long = write(WriteBatch.create().put(key, value))

  /** [put] over UTF-8 encodings. */
  public suspend fun put(key: String, value: String): Long = write(WriteBatch.create().put(key, value))

  /** `store[key] = value`: [put] without the sequence. */
  public suspend operator fun set(key: ByteArray, value: ByteArray) {
    put(key, value)
  }

  /** `store[key] = value` over UTF-8 encodings. */
  public suspend operator fun set(key: String, value: String) {
    put(key, value)
  }

  /** Removes [key]; true if a live value was removed. Deleting an absent key writes nothing. */
  public suspend fun delete(key: ByteArray): Boolean = io { store.delete(key) }

  /** [delete] over the UTF-8 encoding. */
  public suspend fun delete(key: String): Boolean = io { store.delete(key) }

  /**
   * Atomically sets [key] to [newValue] if its value equals [expected] (null: absent); a null
   * [newValue] deletes. Returns whether the write happened.
   */
  public suspend fun compareAndSet(key: ByteArray, expected: ByteArray?, newValue: ByteArray?): Boolean =
    io { store.compareAndSet(key, expected, newValue) }

  /** [compareAndSet] over UTF-8 encodings. */
  public suspend fun compareAndSet(key: String, expected: String?, newValue: String?): Boolean =
    compareAndSet(key.encodeToByteArray(), expected?.encodeToByteArray(), newValue?.encodeToByteArray())

  /**
   * Atomically replaces the value of [key] with `transform(current)` (null: absent, or delete) and
   * returns the new value. Reads, runs [transform] on the caller's dispatcher, and commits with
   * [compareAndSet], again from the read while another writer got in between, so [transform] may
   * run more than once and should have no side effects. An unchanged value writes nothing.
   */
  public suspend fun update(key: ByteArray, transform: suspend (ByteArray?) -> ByteArray?): ByteArray? {
    while (true) {
      val current = get(key)
      val next = transform(current?.copyOf())
      if (next.contentEquals(current)) return current
      if (compareAndSet(key, current, next)) return next
    }
  }

  /** [update] over UTF-8 encodings. */
  public suspend fun update(key: String, transform: suspend (String?) -> String?): String? =
    update(key.encodeToByteArray()) { current -> transform(current?.decodeToString())?.encodeToByteArray() }
      ?.decodeToString()

  /**
   * Commits every operation of [batch], all or nothing; resumes once durable, with the commit's
   * sequence number. The batch is encoded before this returns, so the caller may reuse it.
   * Cancelling the caller stops its wait, not the commit, which the store has already taken.
   */
  public suspend fun write(batch: WriteBatch): Long = io { store.writeAsync(batch) }.await()

  /** Builds a batch with [block] and commits it: `write { put(Settings, s); delete("draft") }`. */
  public suspend fun write(block: WriteScope.() -> Unit): Long = write(WriteScope(json).apply(block).batch)

  // ---------------------------------------------------------------- typed values

  /** The value of [key], or null when absent. @throws ValueDecodingException if it does not decode. */
  public suspend operator fun <T : Any> get(key: TypedKey<T>): T? = get(key.bytes)?.let { json.decodeValue(key, it) }

  /** Sets [key] to [value]; resumes once durable, with the commit's sequence number. */
  public suspend fun <T : Any> put(key: TypedKey<T>, value: T): Long = put(key.bytes, json.encodeValue(key, value))

  /** `store[key] = value`: [put] without the sequence. */
  public suspend operator fun <T : Any> set(key: TypedKey<T>, value: T) {
    put(key, value)
  }

  /** Removes [key]; true if a live value was removed. */
  public suspend fun delete(key: TypedKey<*>): Boolean = delete(key.bytes)

  /**
   * Atomically sets [key] to [newValue] (null deletes) if its decoded value equals [expected]
   * (null: absent). Equality is the type's `equals`, not byte equality of the encodings.
   */
  public suspend fun <T : Any> compareAndSet(key: TypedKey<T>, expected: T?, newValue: T?): Boolean {
    val encoded = newValue?.let { json.encodeValue(key, it) }
    while (true) {
      val currentBytes = get(key.bytes)
      if (currentBytes?.let { json.decodeValue(key, it) } != expected) return false
      if (compareAndSet(key.bytes, currentBytes, encoded)) return true
    }
  }

  /**
   * Atomically replaces the value of [key] with `transform(current)` (null: absent, or delete), as
   * the raw [update] does; a result equal to the current value (by `equals`) writes nothing.
   */
  public suspend fun <T : Any> update(key: TypedKey<T>, transform: suspend (T?) -> T?): T? =
    updateDecoded(key, null, transform)

  /** The CAS loop of typed updates; [default] stands for an absent value on both sides. */
  internal suspend fun <T : Any, R : T?> updateDecoded(key: TypedKey<T>, default: R, transform: suspend (R) -> R): R {
    while (true) {
      val currentBytes = get(key.bytes)
      @Suppress("UNCHECKED_CAST")
      val current = (currentBytes?.let { json.decodeValue(key, it) } ?: default) as R
      val next = transform(current)
      if (next == current) return current
      if (compareAndSet(key.bytes, currentBytes, next?.let { json.encodeValue(key, it) })) return next
    }
  }

  /**
   * A persistent, observable value with a [default], DataStore-style:
   * `val counter = store.state(key<Int>("counter"), 0)`. Cheap to create; see [StateHandle].
   */
  public fun <T : Any> state(key: TypedKey<T>, default: T): StateHandle<T> = StateHandle(this, key, default)

  /** [state] of the typed key `key<T>(name)`: `val lastId = store.state("example.state", 0L)`. */
  public inline fun <reified T : Any> state(name: String, default: T): StateHandle<T> = state(key<T>(name), default)

  // ---------------------------------------------------------------- flows

  /**
   * The value of [key] now, then every new distinct value (null when deleted). Conflated: a slow
   * collector gets the latest value when it is ready, never a stale one, and nothing is buffered
   * for it. Built on a snapshot and a change cursor that starts at the snapshot's sequence, so no
   * write between the first read and the subscription is missed. Never completes; cancel it.
   */
  public fun watch(key: ByteArray): Flow<ByteArray?> = watchFlow(store, ioDispatcher, key.copyOf())

  /** [watch] over UTF-8 encodings. */
  public fun watch(key: String): Flow<String?> = watch(key.encodeToByteArray()).map { it?.decodeToString() }

  /** [watch] of a typed value; the flow fails with [ValueDecodingException] on a value that does not decode. */
  public fun <T : Any> watch(key: TypedKey<T>): Flow<T?> =
    watchFlow(store, ioDispatcher, key.bytes).map { bytes -> bytes?.let { json.decodeValue(key, it) } }

  /**
   * The change feed for [query], one change at a time: the cursor is polled again only after the
   * collector took every change of the previous poll, so a slow collector slows the reading and
   * costs no memory. All changes of a commit come one after another. With the default
   * [upToSequence] the flow follows new commits forever; otherwise it completes once every commit
   * up to [upToSequence] was read (`EXISTING` changes of a snapshot-then-tail query always come).
   * To resume after a restart, save the sequence up to which changes were handled and query
   * `ChangeQuery.after(saved)`, e.g. with `upToSequence = lastSequence()` read beforehand.
   *
   * @throws dev.cairn.store.ChangeHistoryLostException (from collect) if the history was deleted
   */
  public fun changes(query: ChangeQuery, upToSequence: Long = Long.MAX_VALUE): Flow<Change> =
    changeFlow(store, ioDispatcher, query, upToSequence)

  /**
   * The entries of [range] in key order, as they were when collection started (point in time).
   * Reads on demand, in chunks of at most 64 entries (or about 1 MiB) taken only when the
   * collector has taken the previous chunk, so a large range is never held in memory; cancelling
   * the collector closes the cursor.
   */
  public fun scan(range: KeyRange = KeyRange.all()): Flow<Entry> = scanFlow(store, ioDispatcher, range)

  /** [scan] of the keys that start with the UTF-8 [prefix]. */
  public fun scanPrefix(prefix: String): Flow<Entry> = scan(KeyRange.prefix(prefix))

  // ---------------------------------------------------------------- maintenance

  /** Sequence number of the last commit (0 for a store never written). Does no I/O. */
  public fun lastSequence(): Long = store.lastSequence()

  /** Current statistics. */
  public suspend fun stats(): StoreStats = io { store.stats() }

  /** Makes every acknowledged write durable now (one WAL fsync). */
  public suspend fun flush(): Unit = io { store.flush() }

  /** Rewrites every segment that holds garbage; resumes when the space is reclaimed. */
  public suspend fun compact(): Unit = io { store.compact() }

  /**
   * Flushes and releases the directory, blocking the caller for the final fsync; from a UI thread
   * call it as `withContext(Dispatchers.IO) { store.close() }`. Idempotent.
   */
  override fun close() {
    store.close()
  }

  override fun toString(): String = "CairnStore(${store.directory()})"
}
