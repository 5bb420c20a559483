package dev.cairn.store.coroutines

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.map

/**
 * One persistent, observable value of type [T] under [key], reading as [default] while absent:
 * Cairn's counterpart of a Jetpack DataStore. Thread-safe and cheap: it holds no resources, so
 * create it where it is needed; it works as long as its store is open.
 *
 * [update] is atomic across coroutines, threads and handles of the same key (a compare-and-set
 * loop), and [data] observes every value that [update] or any other writer stores.
 */
public class StateHandle<T : Any> internal constructor(
  private val store: CairnStore,
  /** Where the value is stored. */
  public val key: TypedKey<T>,
  /** The value while none is stored. Never written by itself. */
  public val default: T,
) {
  /**
   * The current value, then every new distinct one (by `equals`), conflated as [CairnStore.watch]
   * is; [default] while absent. Cold: each collector opens a change cursor while it collects.
   */
  public val data: Flow<T> = store.watch(key).map { it ?: default }.distinctUntilChanged()

  /** The current value, or [default]. */
  public suspend fun get(): T = store[key] ?: default

  /**
   * Atomically replaces the value with `transform(current)` and returns the new value. [transform]
   * may run more than once when other writers race, so it should have no side effects. A result
   * equal to the current value writes nothing, and [data] then emits nothing.
   */
  public suspend fun update(transform: suspend (T) -> T): T = store.updateDecoded(key, default, transform)

  override fun toString(): String = "StateHandle(${key.name}, default=$default)"
}
