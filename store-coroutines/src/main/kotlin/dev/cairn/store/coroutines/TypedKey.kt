package dev.cairn.store.coroutines

import kotlinx.serialization.KSerializer
import kotlinx.serialization.json.Json
import kotlinx.serialization.serializer

/**
 * A key whose value is a [T], stored as the encoding of its [serializer] by the store's [Json]
 * (see [CairnStoreConfig.json]). Immutable and thread-safe; declare one per key, e.g.
 * `val Settings = key<Settings>("settings")`, and share it.
 *
 * The stored key is the UTF-8 encoding of [name], so a typed key and the raw `String` API see
 * the same entry. When the stored bytes no longer decode as a [T] (the type changed, or something
 * else wrote the key), reads fail with [ValueDecodingException], never with a cast error.
 */
public class TypedKey<T : Any>(
  /** The key, as stored (UTF-8). */
  public val name: String,
  /** Encodes and decodes the value. */
  public val serializer: KSerializer<T>,
) {
  internal val bytes: ByteArray = name.encodeToByteArray()

  override fun equals(other: Any?): Boolean =
    other is TypedKey<*> && other.name == name && other.serializer.descriptor == serializer.descriptor

  override fun hashCode(): Int = name.hashCode()

  override fun toString(): String = "TypedKey($name: ${serializer.descriptor.serialName})"
}

/** A [TypedKey] named [name] whose values are [T]s, encoded by the serializer of [T]. */
public inline fun <reified T : Any> key(name: String): TypedKey<T> = TypedKey(name, serializer<T>())

internal fun <T : Any> Json.encodeValue(key: TypedKey<T>, value: T): ByteArray =
  encodeToString(key.serializer, value).encodeToByteArray()

/** Decodes a stored value; any failure of the serializer (or of the type's own checks) names the key. */
internal fun <T : Any> Json.decodeValue(key: TypedKey<T>, bytes: ByteArray): T =
  try {
    decodeFromString(key.serializer, bytes.decodeToString())
  } catch (e: IllegalArgumentException) { // SerializationException is one
    throw ValueDecodingException(key.name, key.serializer.descriptor.serialName, bytes.size, e)
  }
