package dev.cairn.store.internal.index;

import dev.cairn.store.internal.util.Bytes;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The entries of a key range across the index's levels, in key order, each key once with the
 * version of the newest level that holds it (the active map over the frozen one over the base run).
 * Tombstones are returned like any other head. Not thread-safe; it sees the maps as their own
 * iterators do (weakly consistent) and the run as it was built.
 */
final class MergedIterator implements Iterator<Map.Entry<byte[], Version>> {
  private final Iterator<Map.Entry<byte[], Version>> active;
  private final Iterator<Map.Entry<byte[], Version>> frozen;
  private final SortedRun base;
  private final int baseEnd;
  private int baseNext;
  private Map.Entry<byte[], Version> activeHead;
  private Map.Entry<byte[], Version> frozenHead;

  /** {@code frozen} may be null; {@code base} entries {@code [baseFrom, baseTo)} take part. */
  MergedIterator(Iterator<Map.Entry<byte[], Version>> active, Iterator<Map.Entry<byte[], Version>> frozen,
      SortedRun base, int baseFrom, int baseTo) {
    this.active = active;
    this.frozen = frozen;
    this.base = base;
    this.baseNext = baseFrom;
    this.baseEnd = baseTo;
    this.activeHead = advance(active);
    this.frozenHead = advance(frozen);
  }

  private static Map.Entry<byte[], Version> advance(Iterator<Map.Entry<byte[], Version>> it) {
    return it != null && it.hasNext() ? it.next() : null;
  }

  @Override
  public boolean hasNext() {
    return activeHead != null || frozenHead != null || baseNext < baseEnd;
  }

  @Override
  public Map.Entry<byte[], Version> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    // The smallest key among the three heads; on a tie the newest level's entry wins.
    byte[] key = null;
    Map.Entry<byte[], Version> result = null;
    if (activeHead != null) {
      key = activeHead.getKey();
      result = activeHead;
    }
    if (frozenHead != null && (key == null || Bytes.compareKeys(frozenHead.getKey(), key) < 0)) {
      key = frozenHead.getKey();
      result = frozenHead;
    }
    if (baseNext < baseEnd && (key == null || Bytes.compareKeys(base.key(baseNext), key) < 0)) {
      key = base.key(baseNext);
      result = null;
    }
    // Step every source past the chosen key.
    if (activeHead != null && Bytes.compareKeys(activeHead.getKey(), key) == 0) {
      activeHead = advance(active);
    }
    if (frozenHead != null && Bytes.compareKeys(frozenHead.getKey(), key) == 0) {
      frozenHead = advance(frozen);
    }
    if (baseNext < baseEnd && Bytes.compareKeys(base.key(baseNext), key) == 0) {
      if (result == null) {
        result = new SimpleImmutableEntry<>(key, base.version(baseNext));
      }
      baseNext++;
    }
    return result;
  }
}
