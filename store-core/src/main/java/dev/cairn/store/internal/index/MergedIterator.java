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
 *
 * <p>Keys are compared by their {@link Bytes#keyPrefix eight-byte prefixes} first, which the run
 * keeps in an array: a scan over the base run touches a key's bytes only where prefixes tie, and
 * while the maps have nothing left in the range it just walks the run.
 *
 * <p>Use it either as an {@link Iterator} or, to walk without allocating an entry per key, through
 * {@link #advance()}, {@link #key()} and {@link #version()}; not both at once.
 */
public final class MergedIterator implements Iterator<Map.Entry<byte[], Version>> {
  private final Iterator<Map.Entry<byte[], Version>> active;
  private final Iterator<Map.Entry<byte[], Version>> frozen;
  private final SortedRun base;
  private final int baseEnd;
  private int baseNext;
  private Map.Entry<byte[], Version> activeHead;
  private long activePrefix;
  private Map.Entry<byte[], Version> frozenHead;
  private long frozenPrefix;
  private byte[] key;
  private Version version;

  /** {@code frozen} may be null; {@code base} entries {@code [baseFrom, baseTo)} take part. */
  MergedIterator(Iterator<Map.Entry<byte[], Version>> active, Iterator<Map.Entry<byte[], Version>> frozen,
      SortedRun base, int baseFrom, int baseTo) {
    this.active = active;
    this.frozen = frozen;
    this.base = base;
    this.baseNext = baseFrom;
    this.baseEnd = baseTo;
    advanceActive();
    advanceFrozen();
  }

  private void advanceActive() {
    activeHead = active.hasNext() ? active.next() : null;
    activePrefix = activeHead == null ? 0 : Bytes.keyPrefix(activeHead.getKey());
  }

  private void advanceFrozen() {
    frozenHead = frozen != null && frozen.hasNext() ? frozen.next() : null;
    frozenPrefix = frozenHead == null ? 0 : Bytes.keyPrefix(frozenHead.getKey());
  }

  @Override
  public boolean hasNext() {
    return activeHead != null || frozenHead != null || baseNext < baseEnd;
  }

  @Override
  public Map.Entry<byte[], Version> next() {
    if (!advance()) {
      throw new NoSuchElementException();
    }
    return new SimpleImmutableEntry<>(key, version);
  }

  /**
   * Moves to the next entry without allocating one: {@link #key()} and {@link #version()} then
   * describe it. Returns false at the end.
   */
  public boolean advance() {
    if (activeHead == null && frozenHead == null) {
      if (baseNext >= baseEnd) {
        return false;
      }
      takeBase();
      return true;
    }
    // The smallest key among the heads; on a tie the newest level's entry wins.
    Map.Entry<byte[], Version> result = activeHead;
    long prefix = activePrefix;
    if (frozenHead != null && (result == null || Bytes.compareKeys(frozenPrefix, frozenHead.getKey(), prefix, result.getKey()) < 0)) {
      result = frozenHead;
      prefix = frozenPrefix;
    }
    byte[] resultKey = result.getKey();
    int baseOrder = baseNext < baseEnd ? base.compare(baseNext, prefix, resultKey) : 1;
    if (baseOrder < 0) {
      takeBase();
      return true;
    }
    key = resultKey;
    version = result.getValue();
    // Step every source past the chosen key.
    if (result == activeHead) {
      advanceActive();
    } else if (activeHead != null && activePrefix == prefix && Bytes.compareKeys(activeHead.getKey(), resultKey) == 0) {
      advanceActive();
    }
    if (result == frozenHead) {
      advanceFrozen();
    } else if (frozenHead != null && frozenPrefix == prefix && Bytes.compareKeys(frozenHead.getKey(), resultKey) == 0) {
      advanceFrozen();
    }
    if (baseOrder == 0) {
      baseNext++;
    }
    return true;
  }

  private void takeBase() {
    int i = baseNext++;
    key = base.key(i);
    version = base.version(i);
  }

  /** The key {@link #advance()} moved to. */
  public byte[] key() {
    return key;
  }

  /** The head version of {@link #key()}. */
  public Version version() {
    return version;
  }
}
