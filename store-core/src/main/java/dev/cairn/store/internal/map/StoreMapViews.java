package dev.cairn.store.internal.map;

import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import java.util.AbstractCollection;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The key, value and entry views of a {@link StoreMap}, and the chunked scan behind their
 * iterators. The views hold no state: every method goes to the map, and so to the store.
 */
final class StoreMapViews {
  /** Stored entries an iterator reads per cursor. */
  static final int CHUNK_ENTRIES = 256;

  private StoreMapViews() {}

  /** One entry of the map as a scan read it: the stored key and value bytes, and the decoded key. */
  record Row<K>(byte[] keyBytes, K key, byte[] valueBytes) {}

  // ---------------------------------------------------------------- iterator

  /**
   * Walks the rows of a map in ascending key byte order, {@link #CHUNK_ENTRIES} stored entries at a
   * time. Each chunk comes from a fresh point-in-time cursor that starts at the last key read and is
   * closed before {@code hasNext} returns, so the iterator holds no cursor between calls: an
   * abandoned iterator pins no files, and a long walk does not keep old segments from compaction.
   *
   * <p>Weakly consistent, as {@code ConcurrentSkipListMap}'s iterators: each key is returned at most
   * once and in ascending order; a key present and unchanged for the whole walk is returned exactly
   * once; a key written or deleted during the walk may or may not be seen, and a returned value may
   * already have been replaced. Never throws {@link java.util.ConcurrentModificationException}.
   * {@link #remove()} deletes the last returned key, whatever its value is by then.
   *
   * <p>Not thread-safe, as any iterator.
   */
  static final class RowIterator<K, V, T> implements Iterator<T> {
    private final StoreMap<K, V> map;
    private final Function<Row<K>, T> view;
    private final ArrayDeque<Row<K>> chunk = new ArrayDeque<>();
    private byte[] lastKeyRead; // the next chunk starts after it; null before the first chunk
    private boolean storeExhausted;
    private Row<K> lastReturned;

    RowIterator(StoreMap<K, V> map, Function<Row<K>, T> view) {
      this.map = map;
      this.view = view;
    }

    @Override
    public boolean hasNext() {
      while (chunk.isEmpty() && !storeExhausted) {
        readChunk();
      }
      return !chunk.isEmpty();
    }

    @Override
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      lastReturned = chunk.poll();
      return view.apply(lastReturned);
    }

    @Override
    public void remove() {
      if (lastReturned == null) {
        throw new IllegalStateException("remove() needs a next() since the last remove()");
      }
      map.store().delete(lastReturned.keyBytes());
      lastReturned = null;
    }

    /** Reads up to one chunk of stored entries past {@link #lastKeyRead}, keeping the map's. */
    private void readChunk() {
      byte[] resumeAfter = lastKeyRead;
      KeyRange range = resumeAfter == null ? KeyRange.all() : KeyRange.atLeast(resumeAfter);
      int read = 0;
      try (Cursor cursor = map.store().scan(range)) {
        while (read < CHUNK_ENTRIES && cursor.hasNext()) {
          Entry entry = cursor.next();
          byte[] keyBytes = entry.key();
          if (resumeAfter != null && Arrays.equals(keyBytes, resumeAfter)) {
            continue; // returned by the previous chunk
          }
          read++;
          lastKeyRead = keyBytes;
          K key = map.keyOrNull(keyBytes);
          if (key != null) {
            chunk.add(new Row<>(keyBytes, key, entry.value()));
          }
        }
      }
      storeExhausted = read < CHUNK_ENTRIES;
    }
  }

  // ---------------------------------------------------------------- views

  /** {@link StoreMap#keySet()}. */
  static final class KeySet<K, V> extends AbstractSet<K> {
    private final StoreMap<K, V> map;

    KeySet(StoreMap<K, V> map) {
      this.map = map;
    }

    @Override
    public Iterator<K> iterator() {
      return new RowIterator<>(map, Row::key);
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public boolean contains(Object key) {
      return map.containsKey(key);
    }

    @Override
    public boolean remove(Object key) {
      return map.remove(key) != null;
    }

    @Override
    public void clear() {
      map.clear();
    }
  }

  /** {@link StoreMap#values()}. Removals delete a key only if it still holds the value seen. */
  static final class Values<K, V> extends AbstractCollection<V> {
    private final StoreMap<K, V> map;

    Values(StoreMap<K, V> map) {
      this.map = map;
    }

    @Override
    public Iterator<V> iterator() {
      return new RowIterator<>(map, row -> map.decodeValue(row.valueBytes()));
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public boolean contains(Object value) {
      return map.containsValue(value);
    }

    /** Removes one key whose value equals {@code value}, the first in key order that still has it. */
    @Override
    public boolean remove(Object value) {
      if (value == null) {
        return false;
      }
      return removeRows(map, row -> value.equals(map.decodeValue(row.valueBytes())), true);
    }

    @Override
    public boolean removeIf(Predicate<? super V> filter) {
      Objects.requireNonNull(filter, "filter");
      return removeRows(map, row -> filter.test(map.decodeValue(row.valueBytes())), false);
    }

    @Override
    public void clear() {
      map.clear();
    }
  }

  /** {@link StoreMap#entrySet()}. Removals delete a key only if it still holds the value seen. */
  static final class EntrySet<K, V> extends AbstractSet<Map.Entry<K, V>> {
    private final StoreMap<K, V> map;

    EntrySet(StoreMap<K, V> map) {
      this.map = map;
    }

    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
      return new RowIterator<>(map, this::toEntry);
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
      if (!(o instanceof Map.Entry<?, ?> e)) {
        return false;
      }
      V value = map.get(e.getKey());
      return value != null && value.equals(e.getValue());
    }

    @Override
    public boolean remove(Object o) {
      return o instanceof Map.Entry<?, ?> e && map.remove(e.getKey(), e.getValue());
    }

    @Override
    public boolean removeIf(Predicate<? super Map.Entry<K, V>> filter) {
      Objects.requireNonNull(filter, "filter");
      return removeRows(map, row -> filter.test(toEntry(row)), false);
    }

    @Override
    public void clear() {
      map.clear();
    }

    private Map.Entry<K, V> toEntry(Row<K> row) {
      return new SimpleImmutableEntry<>(row.key(), map.decodeValue(row.valueBytes()));
    }
  }

  /**
   * Deletes each row that {@code filter} accepts if its key still holds the bytes the scan read, so
   * a value written after the filter saw the old one survives. Stops after the first deletion when
   * {@code firstOnly}. Returns whether any key was deleted.
   */
  private static <K> boolean removeRows(
      StoreMap<K, ?> map, Predicate<Row<K>> filter, boolean firstOnly) {
    boolean removed = false;
    for (Iterator<Row<K>> it = map.rows(); it.hasNext(); ) {
      Row<K> row = it.next();
      if (filter.test(row) && map.store().compareAndSet(row.keyBytes(), row.valueBytes(), null)) {
        removed = true;
        if (firstOnly) {
          break;
        }
      }
    }
    return removed;
  }
}
