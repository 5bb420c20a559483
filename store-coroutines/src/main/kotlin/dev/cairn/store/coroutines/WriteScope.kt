package dev.cairn.store.coroutines

import dev.cairn.store.WriteBatch
import kotlinx.serialization.json.Json

/**
 * The operations of one atomic commit, gathered by `store.write { ... }`: they commit all or
 * nothing, also across a crash, under one sequence number, and later operations on a key win over
 * earlier ones. Lives only inside the `write` block; not thread-safe. Operations are checked as
 * they are added (a key over 16 KiB or a value over 16 MiB throws at once).
 */
public class WriteScope internal constructor(private val json: Json) {
  internal val batch: WriteBatch = WriteBatch.create()

  public fun put(key: ByteArray, value: ByteArray) {
    batch.put(key, value)
  }

  public fun put(key: String, value: String) {
    batch.put(key, value)
  }

  public fun <T : Any> put(key: TypedKey<T>, value: T) {
    batch.put(key.bytes, json.encodeValue(key, value))
  }

  public fun delete(key: ByteArray) {
    batch.delete(key)
  }

  public fun delete(key: String) {
    batch.delete(key)
  }

  public fun delete(key: TypedKey<*>) {
    batch.delete(key.bytes)
  }
}
