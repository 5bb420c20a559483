package dev.cairn.store.coroutines

import dev.cairn.store.Compression
import dev.cairn.store.Durability
import dev.cairn.store.StoreOptions
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.serialization.json.Json

/**
 * How [CairnStore.open] opens a store: the core [StoreOptions] plus what the Kotlin layer adds
 * (the I/O dispatcher and the [Json] of typed values). A mutable builder used inside the `open`
 * lambda only; not thread-safe. Every property starts at its default, stated below.
 */
public class CairnStoreConfig internal constructor() {
  private val defaults = StoreOptions.defaults()
  private val extraOptions = mutableListOf<StoreOptions.Builder.() -> Unit>()

  /** Codec of new segment blocks. Default: the core's (`StoreOptions.defaults()`); see [StoreOptions.Builder.compression]. */
  public var compression: Compression = defaults.compression()

  /**
   * When an acknowledged write reaches stable storage. Default `Durability.periodic(100 ms)`.
   * HAZARD: with `periodic` a power loss can take the writes of the last interval; use
   * [Durability.SYNC] when that matters. A suspended `put` resumes when this is met.
   */
  public var durability: Durability = defaults.durability()

  /**
   * Encodes and decodes the values of [TypedKey]s. Default: the plain [Json] instance, which
   * rejects unknown properties, so a stored value written by a type with a since-removed field
   * fails with [ValueDecodingException]; `Json { ignoreUnknownKeys = true }` tolerates that.
   */
  public var json: Json = Json

  /**
   * Where every blocking call into the store runs. Default: a view of [Dispatchers.IO] limited to
   * [CairnStore.DEFAULT_IO_PARALLELISM] threads, of its own for each store. A dispatcher passed
   * here must allow blocking (never [Dispatchers.Default] or a main/UI dispatcher).
   */
  public var ioDispatcher: CoroutineDispatcher = CairnStore.defaultIoDispatcher()

  /**
   * Sets any other [StoreOptions] (block cache, change retention, compaction, ...). Applied after
   * [compression] and [durability], so a setting made here wins over those properties.
   */
  public fun options(configure: StoreOptions.Builder.() -> Unit) {
    extraOptions += configure
  }

  internal fun storeOptions(): StoreOptions {
    val builder = StoreOptions.builder().compression(compression).durability(durability)
    extraOptions.forEach { builder.it() }
    return builder.build()
  }
}
