package dev.cairn.store.coroutines

import dev.cairn.store.StoreException

/**
 * Thrown when the stored value of a [TypedKey] does not decode as the key's type: the type
 * changed incompatibly since the value was written, or another writer stored something else under
 * the key. The stored bytes are left as they are; overwrite or delete the key to recover. The
 * [cause] is the serializer's error (usually a `kotlinx.serialization.SerializationException`).
 */
public class ValueDecodingException(
  /** The key whose value failed to decode. */
  public val key: String,
  /** The serial name of the type it was decoded as. */
  public val typeName: String,
  /** Length of the stored value. */
  public val valueBytes: Int,
  cause: IllegalArgumentException,
) : StoreException(
  "the value of key '$key' ($valueBytes bytes) does not decode as $typeName; was it written by " +
    "another version of the type? ${cause.message}",
  cause,
)
