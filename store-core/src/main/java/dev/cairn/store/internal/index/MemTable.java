package dev.cairn.store.internal.index;

import dev.cairn.store.internal.util.Bytes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The index's map of recent writes (its active map, and the frozen one a merge folds into the base
 * run): keys in unsigned byte order, each with its head {@link Version}. One thread at a time
 * changes it; any number read it without locks. Lookups see each change whole; {@link #walk walks}
 * are weakly consistent, as a {@link java.util.concurrent.ConcurrentSkipListMap}'s iterators are:
 * in key order, each key once, every key present throughout the walk included, each with a head it
 * had at some point during the walk.
 *
 * <h2>Layout</h2>
 * A B+tree. Leaves hold up to {@link #LEAF_CAPACITY} entries in sorted arrays, the keys' {@link
 * Bytes#keyPrefix eight-byte prefixes} in a {@code long[]} of their own, so a search within a leaf
 * mostly compares longs of one array. Branches hold up to {@link #BRANCH_CAPACITY} children and
 * the separator keys between them. A skip list, which this replaces, spent two to three
 * microseconds per insert of a new key into a map of 30,000 keys, most of it in cache misses: each
 * of its levels is a pointer to follow and a key to load.
 *
 * <h2>Concurrency</h2>
 * Branches never change: when a leaf splits, the writer builds its two halves and new copies of
 * the branches above it, and publishes the new root in one volatile write. A reader that started
 * from the old root still finds the old leaf, unchanged since the split. Within a leaf, the writer
 * inserts and replaces in place, under the leaf's stamp: odd while it writes, even and advanced
 * once it is done. Readers copy or search a leaf between two reads of the stamp and retry when it
 * moved. Between them they may see arrays half shifted, so their searches stay in bounds and treat
 * an empty key slot as a torn read.
 */
final class MemTable {
  static final int LEAF_CAPACITY = 64;
  static final int BRANCH_CAPACITY = 64;
  /** A search that met a slot the writer had not filled yet: read again. */
  private static final int TORN = Integer.MIN_VALUE;

  private volatile Node root = new Leaf();
  /**
   * The key the writer last overwrote, with its leaf and the root above it: while the root is the
   * same, that key is still in that leaf (only a split moves keys between leaves, and a split
   * publishes a new root), so a put or lookup of it again (a counter, a hot key) searches that leaf
   * alone. Set by overwrites only, so that a fill of new keys allocates nothing for it. Null until then.
   */
  private volatile Finger finger;
  private int size; // the writer's
  /** The writer's path from the root to the leaf it writes: branches and the child taken in each. */
  private Branch[] path = new Branch[8];
  private int[] childIndexes = new int[8];

  /** Keys held; exact for the thread that writes, or once writes have stopped. */
  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** {@code key}'s head, or null. */
  Version get(byte[] key) {
    long prefix = Bytes.keyPrefix(key);
    Node r = root;
    Finger f = finger;
    Leaf leaf = f != null && f.holds(r, prefix, key) ? f.leaf : leafFor(r, prefix, key);
    return leaf.get(prefix, key);
  }

  /** See {@link #finger}. */
  private record Finger(Node root, Leaf leaf, long prefix, byte[] key) {
    /** Whether {@code key} is this finger's key and {@code root} the root it was taken under. */
    boolean holds(Node root, long prefix, byte[] key) {
      return this.root == root && this.prefix == prefix && Bytes.compareKeys(this.key, key) == 0;
    }
  }

  /**
   * Maps {@code key} to {@code version}; returns the head it replaced, or null. Not concurrently
   * with another {@code put} or {@link #replace} (the index calls it under its write lock).
   */
  Version put(byte[] key, Version version) {
    long prefix = Bytes.keyPrefix(key);
    Finger f = finger;
    if (f != null && f.holds(root, prefix, key)) {
      Leaf leaf = f.leaf;
      int pos = leaf.search(leaf.count, prefix, key);
      if (pos >= 0) { // always, the finger's key being in its leaf
        return leaf.set(pos, version);
      }
    }
    Branch[] path = this.path;
    int[] childIndexes = this.childIndexes;
    int depth = 0;
    Node n = root;
    while (n instanceof Branch b) {
      if (depth == path.length) {
        path = this.path = Arrays.copyOf(path, depth * 2);
        childIndexes = this.childIndexes = Arrays.copyOf(childIndexes, depth * 2);
      }
      int i = b.childFor(prefix, key);
      path[depth] = b;
      childIndexes[depth++] = i;
      n = b.children[i];
    }
    Leaf leaf = (Leaf) n;
    int pos = leaf.search(leaf.count, prefix, key);
    if (pos >= 0) {
      finger = new Finger(root, leaf, prefix, leaf.keys[pos]);
      return leaf.set(pos, version);
    }
    int at = -pos - 1;
    size++;
    if (leaf.count < LEAF_CAPACITY) {
      leaf.beginWrite();
      leaf.insert(at, prefix, key, version);
      leaf.endWrite();
      return null;
    }
    // A full leaf: two new halves replace it, and new branches the ones above it.
    Leaf left = new Leaf();
    Leaf right = new Leaf();
    int half = LEAF_CAPACITY / 2;
    leaf.copyTo(0, half, left);
    leaf.copyTo(half, LEAF_CAPACITY - half, right);
    if (at <= half) {
      left.insert(at, prefix, key, version);
    } else {
      right.insert(at - half, prefix, key, version);
    }
    Node single = null;
    Node lower = left;
    Node upper = right;
    long separatorPrefix = right.prefixes[0];
    byte[] separator = right.keys[0];
    for (int d = depth - 1; d >= 0; d--) {
      Branch b = path[d];
      int i = childIndexes[d];
      if (single != null) {
        single = b.withChild(i, single);
        continue;
      }
      Branch grown = b.withSplit(i, lower, separatorPrefix, separator, upper);
      if (grown.children.length <= BRANCH_CAPACITY) {
        single = grown;
      } else {
        int mid = grown.children.length / 2;
        separatorPrefix = grown.prefixes[mid];
        separator = grown.separators[mid];
        lower = grown.slice(0, mid);
        upper = grown.slice(mid, grown.children.length);
      }
    }
    root = single != null ? single : Branch.of(lower, separatorPrefix, separator, upper);
    return null;
  }

  /**
   * Replaces {@code key}'s head with {@code replacement} if it is {@code expected} (by identity).
   * Not concurrently with {@link #put} or another {@code replace} (the index calls it from its
   * maintenance thread under its read lock, which keeps puts out).
   */
  boolean replace(byte[] key, Version expected, Version replacement) {
    long prefix = Bytes.keyPrefix(key);
    Leaf leaf = leafFor(root, prefix, key);
    int pos = leaf.search(leaf.count, prefix, key);
    if (pos < 0 || leaf.versions[pos] != expected) {
      return false;
    }
    leaf.set(pos, replacement);
    return true;
  }

  /**
   * The entries from {@code fromInclusive} (null: the first) to {@code toExclusive} (null: the
   * end), in key order, weakly consistent (see the class comment).
   */
  Iterator<Map.Entry<byte[], Version>> walk(byte[] fromInclusive, byte[] toExclusive) {
    return new Walk(root, fromInclusive, toExclusive);
  }

  private static Leaf leafFor(Node n, long prefix, byte[] key) {
    while (n instanceof Branch b) {
      n = b.children[b.childFor(prefix, key)];
    }
    return (Leaf) n;
  }

  private abstract static sealed class Node permits Leaf, Branch {}

  /**
   * Children in key order: child {@code i > 0} holds the keys at or above separator {@code i}
   * (and below separator {@code i + 1}); child 0 the keys below separator 1. Never changed once
   * published; entry 0 of the separator arrays is unused.
   */
  private static final class Branch extends Node {
    final long[] prefixes;
    final byte[][] separators;
    final Node[] children;

    Branch(long[] prefixes, byte[][] separators, Node[] children) {
      this.prefixes = prefixes;
      this.separators = separators;
      this.children = children;
    }

    static Branch of(Node lower, long separatorPrefix, byte[] separator, Node upper) {
      return new Branch(new long[] {0, separatorPrefix}, new byte[][] {null, separator}, new Node[] {lower, upper});
    }

    /** The child whose keys include {@code key}: the last whose separator is at or below it. */
    int childFor(long prefix, byte[] key) {
      int lo = 1;
      int hi = children.length - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (Bytes.compareKeys(prefixes[mid], separators[mid], prefix, key) <= 0) {
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return lo - 1;
    }

    Branch withChild(int i, Node child) {
      Node[] c = children.clone();
      c[i] = child;
      return new Branch(prefixes, separators, c);
    }

    /** A copy with child {@code i} split into {@code lower} and {@code upper} at {@code separator}. */
    Branch withSplit(int i, Node lower, long separatorPrefix, byte[] separator, Node upper) {
      int n = children.length;
      long[] p = new long[n + 1];
      byte[][] s = new byte[n + 1][];
      Node[] c = new Node[n + 1];
      System.arraycopy(prefixes, 0, p, 0, i + 1);
      System.arraycopy(separators, 0, s, 0, i + 1);
      System.arraycopy(children, 0, c, 0, i);
      c[i] = lower;
      c[i + 1] = upper;
      p[i + 1] = separatorPrefix;
      s[i + 1] = separator;
      System.arraycopy(prefixes, i + 1, p, i + 2, n - i - 1);
      System.arraycopy(separators, i + 1, s, i + 2, n - i - 1);
      System.arraycopy(children, i + 1, c, i + 2, n - i - 1);
      return new Branch(p, s, c);
    }

    /** Children {@code [from, to)} as a branch of their own (separator {@code from} drops out). */
    Branch slice(int from, int to) {
      long[] p = Arrays.copyOfRange(prefixes, from, to);
      byte[][] s = Arrays.copyOfRange(separators, from, to);
      p[0] = 0;
      s[0] = null;
      return new Branch(p, s, Arrays.copyOfRange(children, from, to));
    }
  }

  /** Sorted entries, changed in place by the writer under {@link #stamp}. */
  private static final class Leaf extends Node {
    private static final VarHandle STAMP;

    static {
      try {
        STAMP = MethodHandles.lookup().findVarHandle(Leaf.class, "stamp", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final long[] prefixes = new long[LEAF_CAPACITY];
    final byte[][] keys = new byte[LEAF_CAPACITY][];
    final Version[] versions = new Version[LEAF_CAPACITY];
    int count;
    @SuppressWarnings("unused") // through STAMP
    private int stamp;

    void beginWrite() {
      STAMP.setOpaque(this, (int) STAMP.getOpaque(this) + 1);
      VarHandle.storeStoreFence(); // the odd stamp lands before any change to the arrays
    }

    void endWrite() {
      STAMP.setRelease(this, (int) STAMP.getOpaque(this) + 1);
    }

    /** Reads by other threads: the stamp to compare after, or an odd one (a write in progress). */
    int beginRead() {
      return (int) STAMP.getAcquire(this);
    }

    boolean validate(int stampBefore) {
      VarHandle.acquireFence();
      return (stampBefore & 1) == 0 && (int) STAMP.getOpaque(this) == stampBefore;
    }

    Version get(long prefix, byte[] key) {
      for (;;) {
        int s = beginRead();
        int pos = search(Math.min(count, LEAF_CAPACITY), prefix, key);
        Version v = pos >= 0 ? versions[pos] : null;
        if (pos != TORN && validate(s)) {
          return v;
        }
        Thread.onSpinWait();
      }
    }

    /**
     * The index of {@code key} among the first {@code n} entries, or {@code -(insertion point) - 1};
     * {@link #TORN} if it met an empty slot (a reader racing the writer).
     */
    int search(int n, long prefix, byte[] key) {
      int lo = 0;
      int hi = n - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = Long.compareUnsigned(prefixes[mid], prefix);
        if (c == 0) {
          byte[] k = keys[mid];
          if (k == null) {
            return TORN;
          }
          c = Bytes.compareKeys(k, key);
        }
        if (c < 0) {
          lo = mid + 1;
        } else if (c > 0) {
          hi = mid - 1;
        } else {
          return mid;
        }
      }
      return -(lo + 1);
    }

    /** Replaces the version at {@code pos} under the stamp; returns the one it replaced. */
    Version set(int pos, Version version) {
      Version old = versions[pos];
      beginWrite();
      versions[pos] = version;
      endWrite();
      return old;
    }

    void insert(int at, long prefix, byte[] key, Version version) {
      int move = count - at;
      System.arraycopy(prefixes, at, prefixes, at + 1, move);
      System.arraycopy(keys, at, keys, at + 1, move);
      System.arraycopy(versions, at, versions, at + 1, move);
      prefixes[at] = prefix;
      keys[at] = key;
      versions[at] = version;
      count++;
    }

    void copyTo(int from, int n, Leaf to) {
      System.arraycopy(prefixes, from, to.prefixes, 0, n);
      System.arraycopy(keys, from, to.keys, 0, n);
      System.arraycopy(versions, from, to.versions, 0, n);
      to.count = n;
    }

    /** Copies the entries into {@code keysOut} and {@code versionsOut}; returns how many. */
    int snapshot(byte[][] keysOut, Version[] versionsOut) {
      for (;;) {
        int s = beginRead();
        int n = Math.min(count, LEAF_CAPACITY);
        System.arraycopy(keys, 0, keysOut, 0, n);
        System.arraycopy(versions, 0, versionsOut, 0, n);
        if (validate(s)) {
          return n;
        }
        Thread.onSpinWait();
      }
    }
  }

  /** A walk from the root it started with, a leaf copy at a time. */
  private static final class Walk implements Iterator<Map.Entry<byte[], Version>> {
    private final byte[] to;
    private Branch[] path = new Branch[8];
    private int[] childIndexes = new int[8];
    private int depth;
    private final byte[][] keys = new byte[LEAF_CAPACITY][];
    private final Version[] versions = new Version[LEAF_CAPACITY];
    private int next;
    private int end;
    private boolean done;

    Walk(Node root, byte[] from, byte[] to) {
      this.to = to;
      long prefix = from == null ? 0 : Bytes.keyPrefix(from);
      Node n = root;
      while (n instanceof Branch b) {
        push(b, from == null ? 0 : b.childFor(prefix, from));
        n = b.children[childIndexes[depth - 1]];
      }
      load((Leaf) n, from);
    }

    private void push(Branch b, int i) {
      if (depth == path.length) {
        path = Arrays.copyOf(path, depth * 2);
        childIndexes = Arrays.copyOf(childIndexes, depth * 2);
      }
      path[depth] = b;
      childIndexes[depth++] = i;
    }

    /** Takes {@code leaf}'s entries at or above {@code from} (null: all) and below {@link #to}. */
    private void load(Leaf leaf, byte[] from) {
      int n = leaf.snapshot(keys, versions);
      int start = 0;
      if (from != null) {
        while (start < n && Bytes.compareKeys(keys[start], from) < 0) {
          start++;
        }
      }
      int stop = n;
      if (to != null) {
        stop = start;
        while (stop < n && Bytes.compareKeys(keys[stop], to) < 0) {
          stop++;
        }
        done = stop < n;
      }
      next = start;
      end = stop;
    }

    @Override
    public boolean hasNext() {
      while (next == end && !done) {
        while (depth > 0 && childIndexes[depth - 1] == path[depth - 1].children.length - 1) {
          depth--;
        }
        if (depth == 0) {
          done = true;
          break;
        }
        Node n = path[depth - 1].children[++childIndexes[depth - 1]];
        while (n instanceof Branch b) {
          push(b, 0);
          n = b.children[0];
        }
        load((Leaf) n, null);
      }
      return next < end;
    }

    @Override
    public Map.Entry<byte[], Version> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Map.Entry<byte[], Version> e = Map.entry(keys[next], versions[next]);
      next++;
      return e;
    }
  }
}
