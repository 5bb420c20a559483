package dev.cairn.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Puts and deletes that {@link Store#write(WriteBatch)} commits all or nothing, also across a crash,
 * under one sequence number. Later operations on the same key win over earlier ones.
 *
 * <p>Not thread-safe; build it on one thread. Keys and values are copied when added, so the caller
 * may reuse its arrays. Operations are validated when added: a null or oversized key or value
 * throws at once and leaves the batch unchanged.
 */
public final class WriteBatch {
  /** Receives a batch's operations in the order they were added. */
  public interface Handler {
    void put(byte[] key, byte[] value);

    void delete(byte[] key);
  }

  private final List<byte[]> keys = new ArrayList<>();
  private final List<byte[]> values = new ArrayList<>(); // null marks a delete
  private long byteCount;

  private WriteBatch() {}

  public static WriteBatch create() {
    return new WriteBatch();
  }

  public WriteBatch put(byte[] key, byte[] value) {
    checkKey(key);
    checkValue(value);
    keys.add(key.clone());
    values.add(value.clone());
    byteCount += key.length + value.length;
    return this;
  }

  public WriteBatch put(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
  }

  public WriteBatch delete(byte[] key) {
    checkKey(key);
    keys.add(key.clone());
    values.add(null);
    byteCount += key.length;
    return this;
  }

  public WriteBatch delete(String key) {
    Objects.requireNonNull(key, "key");
    return delete(key.getBytes(StandardCharsets.UTF_8));
  }

  /** Number of operations. */
  public int size() {
    return keys.size();
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /** Sum of the key and value lengths of all operations. */
  public long byteCount() {
    return byteCount;
  }

  /** Removes every operation. */
  public WriteBatch clear() {
    keys.clear();
    values.clear();
    byteCount = 0;
    return this;
  }

  /** Hands each operation to {@code handler}, in the order added. The arrays must not be modified. */
  public void forEach(Handler handler) {
    for (int i = 0; i < keys.size(); i++) {
      byte[] value = values.get(i);
      if (value == null) {
        handler.delete(keys.get(i));
      } else {
        handler.put(keys.get(i), value);
      }
    }
  }

  /** Throws if {@code key} is not a valid key. */
  public static void checkKey(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length > StoreOptions.MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "key is " + key.length + " bytes; the limit is " + StoreOptions.MAX_KEY_BYTES);
    }
  }

  /** Throws if {@code value} is not a valid value. */
  public static void checkValue(byte[] value) {
    Objects.requireNonNull(value, "value");
    if (value.length > StoreOptions.MAX_VALUE_BYTES) {
      throw new IllegalArgumentException(
          "value is " + value.length + " bytes; the limit is " + StoreOptions.MAX_VALUE_BYTES);
    }
  }
}
