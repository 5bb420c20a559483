package dev.cairn.store.reactor;

import dev.cairn.store.Codec;
import dev.cairn.store.KeyRange;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link ReactiveStore} seen through a key {@link Codec} and a value {@link Codec}, from {@link
 * ReactiveStore#typed}. Same lifetime, thread safety, scheduling, cancellation and error rules as
 * the {@code ReactiveStore} it views (it owns nothing either). Keys and values are encoded when a
 * method is called, so a codec failure on an argument is thrown at once; values are decoded on the
 * blocking scheduler, and a codec failure there arrives as {@code onError}. The codecs must be
 * thread-safe, as {@link Codec} requires; a key codec that preserves order makes {@link #scan} run in
 * key order.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class TypedReactiveStore<K, V> {
  private final ReactiveStore bytes;
  private final Codec<K> keys;
  private final Codec<V> values;

  TypedReactiveStore(ReactiveStore bytes, Codec<K> keys, Codec<V> values) {
    this.bytes = Objects.requireNonNull(bytes, "bytes");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.values = Objects.requireNonNull(values, "values");
  }

  /** The untyped store this view encodes into. */
  public ReactiveStore bytes() {
    return bytes;
  }

  /** The value of {@code key}; empty when absent. */
  public Mono<V> get(K key) {
    return bytes.get(encodeKey(key)).map(values::decode);
  }

  /** Sets {@code key} to {@code value}; emits the commit's sequence once it is durable. */
  public Mono<Long> put(K key, V value) {
    return bytes.put(encodeKey(key), encodeValue(value));
  }

  /** Removes {@code key}; emits whether a live value was removed. */
  public Mono<Boolean> delete(K key) {
    return bytes.delete(encodeKey(key));
  }

  /**
   * Sets {@code key} to {@code newValue} if its value encodes to the same bytes as {@code expected};
   * null means absent (for {@code expected}) and delete (for {@code newValue}).
   */
  public Mono<Boolean> compareAndSet(K key, V expected, V newValue) {
    return bytes.compareAndSet(encodeKey(key),
        expected == null ? null : encodeValue(expected),
        newValue == null ? null : encodeValue(newValue));
  }

  /**
   * Atomically replaces the value of {@code key} with {@code fn(current)} (null: absent / delete);
   * {@code fn} may run more than once. Emits the new value, or completes empty when the key ends
   * absent.
   */
  public Mono<V> update(K key, UnaryOperator<V> fn) {
    Objects.requireNonNull(fn, "fn");
    return bytes.update(encodeKey(key), current -> {
      V next = fn.apply(current == null ? null : values.decode(current));
      return next == null ? null : encodeValue(next);
    }).map(values::decode);
  }

  /** The decoded entries of {@code range}, point in time and demand-driven as {@link ReactiveStore#scan}. */
  public Flux<Map.Entry<K, V>> scan(KeyRange range) {
    return bytes.scan(range).map(e -> Map.entry(keys.decode(e.key()), values.decode(e.value())));
  }

  /** {@link ReactiveStore#watch} of {@code key}, decoded. */
  public Flux<Optional<V>> watch(K key) {
    return bytes.watch(encodeKey(key)).map(v -> v.map(values::decode));
  }

  private byte[] encodeKey(K key) {
    return keys.encode(Objects.requireNonNull(key, "key"));
  }

  private byte[] encodeValue(V value) {
    return values.encode(Objects.requireNonNull(value, "value"));
  }
}
