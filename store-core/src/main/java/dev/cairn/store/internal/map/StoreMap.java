package dev.cairn.store.internal.map;

import dev.cairn.store.Codec;
import dev.cairn.store.Cursor;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.StoreClosedException;
import dev.cairn.store.internal.map.StoreMapViews.Row;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A live {@link ConcurrentMap} view of a {@link Store} through a key codec and a value codec: what
 * {@link Store#asMap} returns. It keeps the whole {@code ConcurrentMap} contract as {@link
 * java.util.concurrent.ConcurrentSkipListMap} does.
 *
 * <p><b>Thread safety and lifetime.</b> Safe for concurrent use by any number of threads. The map
 * holds no state of its own, so it sees every write made through the store or another view of it,
 * and is valid while the store is open; after {@link Store#close()} every method throws {@link
 * StoreClosedException}. Iterators of the views are weakly consistent and never throw {@link
 * java.util.ConcurrentModificationException}; they hold no cursor between calls, so an abandoned
 * iterator leaks nothing (see {@link StoreMapViews.RowIterator}).
 *
 * <p><b>Which entries are in the map.</b> A stored key belongs to the map when the key codec decodes
 * it to a key that encodes back to the same bytes; a key codec says bytes encode no key by throwing
 * {@link IllegalArgumentException} from {@code decode}, as {@link Codec#int64()} does. Other keys,
 * such as a string key in a store viewed through {@code int64()} keys, are invisible: iteration,
 * {@code size()} and {@code clear()} skip them. The value of a key in the map must decode; a value
 * codec's exception propagates.
 *
 * <p><b>Atomicity.</b> Every single-key method is atomic: it reads the stored bytes and commits with
 * {@link Store#compareAndSet} against exactly those bytes, retrying when another writer came first,
 * so the functions given to {@code compute}, {@code computeIfAbsent}, {@code computeIfPresent} and
 * {@code merge} may run more than once and must have no side effects. Bulk methods ({@code putAll},
 * {@code clear}, {@code replaceAll}, {@code forEach}, {@code equals}, the views' {@code removeIf})
 * act key by key and are not atomic as a whole.
 *
 * <p><b>Value equality.</b> {@code containsValue}, {@code remove(key, value)}, {@code replace(key,
 * old, new)}, {@code entrySet().contains}, {@code equals} and {@code hashCode} compare decoded
 * values with {@code equals}. For a value type with identity equality, notably {@code byte[]} from
 * {@link Codec#bytes()}, those never match, since every read decodes a new array; use {@code
 * compute} or {@link Store#compareAndSet} there. {@code compute} and its relatives compare stored
 * bytes and work for every value type.
 *
 * <p><b>Cost.</b> {@code size()}, {@code containsValue}, {@code equals} and {@code hashCode} scan the
 * whole store: O(n) in the number of stored keys. {@code isEmpty()} stops at the first entry of the
 * map.
 */
public final class StoreMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V> {
  private final Store store;
  private final Codec<K> keys;
  private final Codec<V> values;
  private final Set<K> keySet = new StoreMapViews.KeySet<>(this);
  private final Collection<V> valueCollection = new StoreMapViews.Values<>(this);
  private final Set<Map.Entry<K, V>> entrySet = new StoreMapViews.EntrySet<>(this);

  public StoreMap(Store store, Codec<K> keys, Codec<V> values) {
    this.store = Objects.requireNonNull(store, "store");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.values = Objects.requireNonNull(values, "values");
  }

  // ---------------------------------------------------------------- reads

  @Override
  public V get(Object key) {
    return decodeValue(store.get(encodeKey(key)));
  }

  @Override
  public boolean containsKey(Object key) {
    return store.contains(encodeKey(key));
  }

  @Override
  public boolean containsValue(Object value) {
    Objects.requireNonNull(value, "value");
    for (Iterator<Row<K>> it = rows(); it.hasNext(); ) {
      if (value.equals(decodeValue(it.next().valueBytes()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The number of entries in the map, exact at the moment of the call: one point-in-time scan of the
   * whole store, O(n) in stored keys, since keys outside the codec's domain must not be counted.
   * Saturates at {@link Integer#MAX_VALUE}.
   */
  @Override
  public int size() {
    long count = 0;
    try (Cursor cursor = store.scan(KeyRange.all())) {
      while (cursor.hasNext()) {
        if (keyOrNull(cursor.next().key()) != null) {
          count++;
        }
      }
    }
    return (int) Math.min(count, Integer.MAX_VALUE);
  }

  /** Whether the map has no entry; scans only up to the first key in the map. */
  @Override
  public boolean isEmpty() {
    try (Cursor cursor = store.scan(KeyRange.all())) {
      while (cursor.hasNext()) {
        if (keyOrNull(cursor.next().key()) != null) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public void forEach(BiConsumer<? super K, ? super V> action) {
    Objects.requireNonNull(action, "action");
    for (Iterator<Row<K>> it = rows(); it.hasNext(); ) {
      Row<K> row = it.next();
      action.accept(row.key(), decodeValue(row.valueBytes()));
    }
  }

  // ---------------------------------------------------------------- unconditional writes

  @Override
  public V put(K key, V value) {
    byte[] keyBytes = encodeKey(key);
    byte[] valueBytes = encodeValue(value);
    while (true) {
      byte[] previous = store.get(keyBytes);
      if (store.compareAndSet(keyBytes, previous, valueBytes)) {
        return decodeValue(previous);
      }
    }
  }

  @Override
  public V remove(Object key) {
    byte[] keyBytes = encodeKey(key);
    while (true) {
      byte[] previous = store.get(keyBytes);
      if (previous == null) {
        return null;
      }
      if (store.compareAndSet(keyBytes, previous, null)) {
        return decodeValue(previous);
      }
    }
  }

  /** Puts each mapping in turn; a null key or value throws after the mappings before it were put. */
  @Override
  public void putAll(Map<? extends K, ? extends V> map) {
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      store.put(encodeKey(e.getKey()), encodeValue(e.getValue()));
    }
  }

  /** Deletes the keys of the map one by one in key order; keys written meanwhile may survive. */
  @Override
  public void clear() {
    for (Iterator<Row<K>> it = rows(); it.hasNext(); ) {
      store.delete(it.next().keyBytes());
    }
  }

  // ---------------------------------------------------------------- conditional writes

  @Override
  public V putIfAbsent(K key, V value) {
    byte[] keyBytes = encodeKey(key);
    byte[] valueBytes = encodeValue(value);
    while (true) {
      byte[] current = store.get(keyBytes);
      if (current != null) {
        return decodeValue(current);
      }
      if (store.compareAndSet(keyBytes, null, valueBytes)) {
        return null;
      }
    }
  }

  @Override
  public boolean remove(Object key, Object value) {
    byte[] keyBytes = encodeKey(key);
    if (value == null) {
      return false;
    }
    while (true) {
      byte[] current = store.get(keyBytes);
      if (current == null || !value.equals(decodeValue(current))) {
        return false;
      }
      if (store.compareAndSet(keyBytes, current, null)) {
        return true;
      }
    }
  }

  @Override
  public V replace(K key, V value) {
    byte[] keyBytes = encodeKey(key);
    byte[] valueBytes = encodeValue(value);
    while (true) {
      byte[] current = store.get(keyBytes);
      if (current == null) {
        return null;
      }
      if (store.compareAndSet(keyBytes, current, valueBytes)) {
        return decodeValue(current);
      }
    }
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    byte[] keyBytes = encodeKey(key);
    Objects.requireNonNull(oldValue, "oldValue");
    byte[] newBytes = encodeValue(newValue);
    while (true) {
      byte[] current = store.get(keyBytes);
      if (current == null || !oldValue.equals(decodeValue(current))) {
        return false;
      }
      if (store.compareAndSet(keyBytes, current, newBytes)) {
        return true;
      }
    }
  }

  @Override
  public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
    Objects.requireNonNull(function, "function");
    for (Iterator<Row<K>> it = rows(); it.hasNext(); ) {
      Row<K> row = it.next();
      byte[] current = row.valueBytes();
      while (current != null) {
        V next = function.apply(row.key(), decodeValue(current));
        if (store.compareAndSet(row.keyBytes(), current, encodeValue(next))) {
          break;
        }
        current = store.get(row.keyBytes());
      }
    }
  }

  // ---------------------------------------------------------------- compute family

  @Override
  public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remapping) {
    byte[] keyBytes = encodeKey(key);
    Objects.requireNonNull(remapping, "remappingFunction");
    while (true) {
      byte[] current = store.get(keyBytes);
      V next = remapping.apply(key, decodeValue(current));
      if (commit(keyBytes, current, next)) {
        return next;
      }
    }
  }

  @Override
  public V computeIfAbsent(K key, Function<? super K, ? extends V> mapping) {
    byte[] keyBytes = encodeKey(key);
    Objects.requireNonNull(mapping, "mappingFunction");
    while (true) {
      byte[] current = store.get(keyBytes);
      if (current != null) {
        return decodeValue(current);
      }
      V created = mapping.apply(key);
      if (created == null || commit(keyBytes, null, created)) {
        return created;
      }
    }
  }

  @Override
  public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remapping) {
    byte[] keyBytes = encodeKey(key);
    Objects.requireNonNull(remapping, "remappingFunction");
    while (true) {
      byte[] current = store.get(keyBytes);
      if (current == null) {
        return null;
      }
      V next = remapping.apply(key, decodeValue(current));
      if (commit(keyBytes, current, next)) {
        return next;
      }
    }
  }

  @Override
  public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remapping) {
    byte[] keyBytes = encodeKey(key);
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(remapping, "remappingFunction");
    while (true) {
      byte[] current = store.get(keyBytes);
      V next = current == null ? value : remapping.apply(decodeValue(current), value);
      if (commit(keyBytes, current, next)) {
        return next;
      }
    }
  }

  /**
   * Sets the key to {@code next} (null deletes) if it still holds the bytes {@code current} (null:
   * absent). Absent staying absent needs no write and succeeds.
   */
  private boolean commit(byte[] keyBytes, byte[] current, V next) {
    if (current == null && next == null) {
      return true;
    }
    return store.compareAndSet(keyBytes, current, next == null ? null : encodeValue(next));
  }

  // ---------------------------------------------------------------- views

  /** The keys in key byte order; removing from the set removes from the map. */
  @Override
  public Set<K> keySet() {
    return keySet;
  }

  /** The values in key byte order; removing from the collection removes from the map. */
  @Override
  public Collection<V> values() {
    return valueCollection;
  }

  /** The entries in key byte order, as immutable entries; removing an entry removes it from the map. */
  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return entrySet;
  }

  // ---------------------------------------------------------------- codecs, for the views

  Store store() {
    return store;
  }

  /** The rows of the map in key byte order, read in chunks; see {@link StoreMapViews.RowIterator}. */
  Iterator<Row<K>> rows() {
    return new StoreMapViews.RowIterator<>(this, Function.identity());
  }

  /** The stored bytes of {@code key}. A key of the wrong type throws ClassCastException. */
  byte[] encodeKey(Object key) {
    Objects.requireNonNull(key, "key");
    @SuppressWarnings("unchecked")
    K typed = (K) key;
    return keys.encode(typed);
  }

  /** The key stored as {@code keyBytes}, or null when those bytes encode no key of this map. */
  K keyOrNull(byte[] keyBytes) {
    K key;
    try {
      key = keys.decode(keyBytes);
    } catch (IllegalArgumentException notAnEncodedKey) {
      return null; // a key written through another codec: outside this map, not an error
    }
    return key != null && Arrays.equals(keys.encode(key), keyBytes) ? key : null;
  }

  byte[] encodeValue(V value) {
    return values.encode(Objects.requireNonNull(value, "value"));
  }

  /** The decoded value, or null for null bytes (an absent key). */
  V decodeValue(byte[] valueBytes) {
    return valueBytes == null ? null : values.decode(valueBytes);
  }
}
