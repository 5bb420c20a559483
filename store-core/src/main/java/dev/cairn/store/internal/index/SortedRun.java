package dev.cairn.store.internal.index;

import dev.cairn.store.internal.util.Bytes;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;

/**
 * A read-only sorted map over parallel arrays of strictly ascending keys and their versions. It
 * exists so that opening a store can hand a checkpoint's entries, which arrive sorted, to {@code
 * ConcurrentSkipListMap}'s sorted-map constructor, which builds the skip list in one linear pass
 * instead of one search per key. Not thread-safe; immutable once built.
 */
final class SortedRun extends AbstractMap<byte[], Version> implements SortedMap<byte[], Version> {
  private final byte[][] keys;
  private final Version[] versions;
  private final int from;
  private final int to;

  SortedRun(byte[][] keys, Version[] versions, int from, int to) {
    this.keys = keys;
    this.versions = versions;
    this.from = from;
    this.to = to;
  }

  @Override
  public Comparator<? super byte[]> comparator() {
    return Bytes.KEY_ORDER;
  }

  @Override
  public Set<Entry<byte[], Version>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<byte[], Version>> iterator() {
        return new Iterator<>() {
          private int next = from;

          @Override
          public boolean hasNext() {
            return next < to;
          }

          @Override
          public Entry<byte[], Version> next() {
            if (next >= to) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>(keys[i], versions[i]);
          }
        };
      }

      @Override
      public int size() {
        return to - from;
      }
    };
  }

  /** Index of the first key at or after {@code key} within this run. */
  private int lowerBound(byte[] key) {
    int i = Arrays.binarySearch(keys, from, to, key, Bytes.KEY_ORDER);
    return i >= 0 ? i : -i - 1;
  }

  @Override
  public SortedMap<byte[], Version> subMap(byte[] fromKey, byte[] toKey) {
    int lo = lowerBound(fromKey);
    return new SortedRun(keys, versions, lo, Math.max(lo, lowerBound(toKey)));
  }

  @Override
  public SortedMap<byte[], Version> headMap(byte[] toKey) {
    return new SortedRun(keys, versions, from, lowerBound(toKey));
  }

  @Override
  public SortedMap<byte[], Version> tailMap(byte[] fromKey) {
    return new SortedRun(keys, versions, lowerBound(fromKey), to);
  }

  @Override
  public byte[] firstKey() {
    if (from == to) {
      throw new NoSuchElementException();
    }
    return keys[from];
  }

  @Override
  public byte[] lastKey() {
    if (from == to) {
      throw new NoSuchElementException();
    }
    return keys[to - 1];
  }
}
