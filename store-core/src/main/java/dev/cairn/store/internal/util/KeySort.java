package dev.cairn.store.internal.util;

/**
 * Sorts keys in {@link Bytes#KEY_ORDER}: a merge sort over the keys' {@link Bytes#keyPrefix
 * eight-byte prefixes}, compared as unsigned {@code long}s, that compares whole keys only where
 * prefixes tie. Stable, and O(n log n) whatever the keys (they come from users).
 *
 * <p>Flushes sort every key written since the last one. A sort of its own, rather than {@link
 * java.util.Arrays#sort(Object[], java.util.Comparator)}, compares primitives for most pairs and
 * keeps one comparison in one place, which the JIT compiles once.
 */
public final class KeySort {
  private static final int INSERTION_SORT_MAX = 24;

  private KeySort() {}

  /** Sorts {@code keys} in place. */
  public static void sort(byte[][] keys) {
    int n = keys.length;
    long[] prefixes = new long[n];
    for (int i = 0; i < n; i++) {
      prefixes[i] = Bytes.keyPrefix(keys[i]);
    }
    mergeSort(prefixes, keys, prefixes.clone(), keys.clone(), 0, n);
  }

  /**
   * Sorts {@code [from, to)} of {@code p}/{@code k}, using {@code bufP}/{@code bufK} (which start
   * as copies of them) as scratch: top-down, alternating the roles of the two pairs of arrays.
   */
  private static void mergeSort(long[] p, byte[][] k, long[] bufP, byte[][] bufK, int from, int to) {
    if (to - from <= INSERTION_SORT_MAX) {
      insertionSort(p, k, from, to);
      return;
    }
    int mid = (from + to) >>> 1;
    // Sort both halves into the buffer, then merge them back into p/k.
    mergeSort(bufP, bufK, p, k, from, mid);
    mergeSort(bufP, bufK, p, k, mid, to);
    if (Bytes.compareKeys(bufP[mid - 1], bufK[mid - 1], bufP[mid], bufK[mid]) <= 0) {
      System.arraycopy(bufP, from, p, from, to - from); // already in order
      System.arraycopy(bufK, from, k, from, to - from);
      return;
    }
    int i = from;
    int j = mid;
    for (int out = from; out < to; out++) {
      if (j >= to || (i < mid && Bytes.compareKeys(bufP[i], bufK[i], bufP[j], bufK[j]) <= 0)) {
        p[out] = bufP[i];
        k[out] = bufK[i++];
      } else {
        p[out] = bufP[j];
        k[out] = bufK[j++];
      }
    }
  }

  private static void insertionSort(long[] p, byte[][] k, int from, int to) {
    for (int i = from + 1; i < to; i++) {
      long prefix = p[i];
      byte[] key = k[i];
      int j = i - 1;
      while (j >= from && Bytes.compareKeys(p[j], k[j], prefix, key) > 0) {
        p[j + 1] = p[j];
        k[j + 1] = k[j];
        j--;
      }
      p[j + 1] = prefix;
      k[j + 1] = key;
    }
  }

}
