package dev.cairn.store.internal.index;

import dev.cairn.store.internal.util.Bytes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A sorted map from keys (unsigned byte order) to versions for the {@link KeyIndex}'s active and
 * frozen levels: a skip list that one writer at a time changes and any number of readers read
 * without locks. Keys are only ever added (a level is dropped whole when merged), so a writer
 * never unlinks a node, and a reader that follows the links it finds always walks a sorted list.
 *
 * <h2>Design</h2>
 * Each node holds its key's first eight bytes as a long ({@link Bytes#keyPrefix}) beside its links,
 * so a search compares a prefix in the node it already loaded, and reads the key itself only where
 * prefixes are equal: for random or hashed keys that is one key per search instead of one per
 * step, which is where {@link java.util.concurrent.ConcurrentSkipListMap}'s time goes. A new node
 * is complete before it is linked: the writer links it level by level from the bottom with release
 * stores, and readers load links with acquire loads, so a reader sees a node whole or not at all.
 * A value is replaced with a release store too.
 *
 * <p>Thread-safety: {@link #put} and {@link #replace} must come from one thread at a time, with a
 * happens-before edge between writers (the index's write lock); every other method is safe to call
 * concurrently with them. Iterators are weakly consistent: they see each key at most once, in
 * order, and may or may not see keys added after they started.
 */
final class KeyMap {
  private static final int MAX_HEIGHT = 24;
  private static final VarHandle NEXT = MethodHandles.arrayElementVarHandle(Node[].class);
  private static final VarHandle VALUE;

  static {
    try {
      VALUE = MethodHandles.lookup().findVarHandle(Node.class, "value", Version.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A key, its prefix, its version, and its links, one per level of its height. */
  private static final class Node {
    final long prefix;
    final byte[] key;
    Version value; // written by the writer with release semantics, read with acquire
    final Node[] next;

    Node(long prefix, byte[] key, Version value, int height) {
      this.prefix = prefix;
      this.key = key;
      this.value = value;
      this.next = new Node[height];
    }

    Node next(int level) {
      return (Node) NEXT.getAcquire(next, level);
    }

    Version value() {
      return (Version) VALUE.getAcquire(this);
    }
  }

  private final Node head = new Node(0, null, null, MAX_HEIGHT);
  /** Levels in use: links above it are all null. Written by the writer, read by readers as a hint. */
  private volatile int height = 1;
  /** Keys held; exact for the writer, and for readers the index lock orders after it. */
  private int size;
  /** The writer's random state, for node heights. */
  private long seed = 0x9E3779B97F4A7C15L;
  /** The writer's scratch: the last node before the key at each level. */
  private final Node[] preds = new Node[MAX_HEIGHT];

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Compares {@code n}'s key with ({@code prefix}, {@code key}). */
  private static int compare(Node n, long prefix, byte[] key) {
    int c = Long.compareUnsigned(n.prefix, prefix);
    return c != 0 ? c : Bytes.compareKeys(n.key, key);
  }

  /** The last node whose key is below ({@code prefix}, {@code key}), at level 0; {@link #head} if none. */
  private Node lastBelow(long prefix, byte[] key) {
    Node x = head;
    for (int level = height - 1; level >= 0; level--) {
      for (Node n = x.next(level); n != null && compare(n, prefix, key) < 0; n = x.next(level)) {
        x = n;
      }
    }
    return x;
  }

  /** The version of {@code key}, or null. */
  Version get(byte[] key) {
    long prefix = Bytes.keyPrefix(key);
    Node n = lastBelow(prefix, key).next(0);
    return n != null && compare(n, prefix, key) == 0 ? n.value() : null;
  }

  /** Maps {@code key} to {@code value}; returns the version it replaced, or null. Writer only. */
  Version put(byte[] key, Version value) {
    long prefix = Bytes.keyPrefix(key);
    Node x = head;
    int top = height;
    for (int level = top - 1; level >= 0; level--) {
      for (Node n = x.next[level]; n != null && compare(n, prefix, key) < 0; n = x.next[level]) {
        x = n;
      }
      preds[level] = x;
    }
    Node found = x.next[0];
    if (found != null && compare(found, prefix, key) == 0) {
      Version old = found.value;
      VALUE.setRelease(found, value);
      return old;
    }
    int h = randomHeight();
    if (h > top) {
      for (int level = top; level < h; level++) {
        preds[level] = head;
      }
      height = h;
    }
    Node node = new Node(prefix, key, value, h);
    for (int level = 0; level < h; level++) {
      node.next[level] = preds[level].next[level];
    }
    for (int level = 0; level < h; level++) {
      NEXT.setRelease(preds[level].next, level, node);
    }
    size++;
    return null;
  }

  /** Replaces {@code key}'s version if it is {@code expected}; whether it did. Writer only. */
  boolean replace(byte[] key, Version expected, Version replacement) {
    long prefix = Bytes.keyPrefix(key);
    Node n = lastBelow(prefix, key).next(0);
    if (n == null || compare(n, prefix, key) != 0 || n.value != expected) {
      return false;
    }
    VALUE.setRelease(n, replacement);
    return true;
  }

  /** A height with probability 1/4 per level above the first, as LevelDB's skip list draws it. */
  private int randomHeight() {
    long r = seed;
    r ^= r << 13;
    r ^= r >>> 7;
    r ^= r << 17;
    seed = r;
    int h = 1 + Long.numberOfTrailingZeros(r | (1L << 46)) / 2;
    return Math.min(h, MAX_HEIGHT);
  }

  /**
   * Entries (snapshots of key and version) with keys from {@code fromInclusive} (null: the first)
   * to {@code toExclusive} (null: past the last), in key order.
   */
  Iterator<Map.Entry<byte[], Version>> entries(byte[] fromInclusive, byte[] toExclusive) {
    Node first = fromInclusive == null ? head.next(0)
        : lastBelow(Bytes.keyPrefix(fromInclusive), fromInclusive).next(0);
    long toPrefix = toExclusive == null ? 0 : Bytes.keyPrefix(toExclusive);
    return new Iterator<>() {
      private Node next = first;

      @Override
      public boolean hasNext() {
        if (next != null && toExclusive != null && compare(next, toPrefix, toExclusive) >= 0) {
          next = null;
        }
        return next != null;
      }

      @Override
      public Map.Entry<byte[], Version> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Node n = next;
        next = n.next(0);
        return new SimpleImmutableEntry<>(n.key, n.value());
      }
    };
  }
}
