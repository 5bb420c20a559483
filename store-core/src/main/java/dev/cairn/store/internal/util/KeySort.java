package dev.cairn.store.internal.util;

import java.util.Arrays;

/**
 * Sorts keys in {@link Bytes#KEY_ORDER}, stably. Keys are first distributed into buckets by the
 * leading bits of their {@link Bytes#keyPrefix eight-byte prefixes} (one counting pass and one
 * scatter, as in a radix sort), and each bucket is then sorted by a merge sort over the prefixes,
 * compared as unsigned {@code long}s, that compares whole keys only where prefixes tie.
 *
 * <p>Flushes sort every key written since the last one. Random, hashed and counter keys leave a few
 * keys per bucket, so most of the work is two linear passes instead of {@code log n} passes of
 * merging, each of which moved every key reference. The bucket bits are those after the ones all
 * prefixes share (a common prefix such as {@code "user:"} tells keys apart no better than nothing);
 * keys that are still skewed leave large buckets, which the merge sort handles, so the sort stays
 * O(n log n) whatever the keys (they come from users). A sort of its own, rather than {@link
 * java.util.Arrays#sort(Object[], java.util.Comparator)}, compares primitives for most pairs and
 * keeps one comparison in one place, which the JIT compiles once.
 */
public final class KeySort {
  private static final int INSERTION_SORT_MAX = 24;
  /** Fewer keys than this are merge sorted directly. */
  private static final int BUCKET_SORT_MIN = 256;
  /** Keys per bucket when keys spread evenly: few enough for an insertion sort, enough to keep the counts small. */
  private static final int KEYS_PER_BUCKET = 2;
  /** At most 2^20 buckets (4 MiB of counts), for two million keys and up. */
  private static final int MAX_BUCKET_BITS = 20;

  private KeySort() {}

  /** Sorts {@code keys} in place. */
  public static void sort(byte[][] keys) {
    int n = keys.length;
    long[] prefixes = new long[n];
    long min = -1L; // the largest unsigned value
    long max = 0;
    for (int i = 0; i < n; i++) {
      long p = Bytes.keyPrefix(keys[i]);
      prefixes[i] = p;
      min = Long.compareUnsigned(p, min) < 0 ? p : min;
      max = Long.compareUnsigned(p, max) > 0 ? p : max;
    }
    if (n < BUCKET_SORT_MIN || min == max) {
      mergeSort(prefixes, keys, prefixes.clone(), keys.clone(), 0, n);
      return;
    }
    int shift = Long.numberOfLeadingZeros(min ^ max);
    int bits = Math.min(Math.min(MAX_BUCKET_BITS, 64 - shift), 31 - Integer.numberOfLeadingZeros(n / KEYS_PER_BUCKET));
    // starts[b + 1] counts bucket b's keys, then becomes where bucket b + 1 starts.
    int[] starts = new int[(1 << bits) + 1];
    for (int i = 0; i < n; i++) {
      starts[Bytes.prefixBucket(prefixes[i], shift, bits) + 1]++;
    }
    for (int b = 1; b < starts.length; b++) {
      starts[b] += starts[b - 1];
    }
    long[] sortedP = new long[n];
    byte[][] sortedK = new byte[n][];
    int[] next = Arrays.copyOf(starts, starts.length - 1);
    for (int i = 0; i < n; i++) {
      int at = next[Bytes.prefixBucket(prefixes[i], shift, bits)]++;
      sortedP[at] = prefixes[i];
      sortedK[at] = keys[i];
    }
    // The input arrays are free now: each larger bucket uses its range of them as scratch.
    for (int b = 0; b + 1 < starts.length; b++) {
      int from = starts[b];
      int to = starts[b + 1];
      if (to - from <= INSERTION_SORT_MAX) {
        insertionSort(sortedP, sortedK, from, to);
      } else {
        System.arraycopy(sortedP, from, prefixes, from, to - from);
        System.arraycopy(sortedK, from, keys, from, to - from);
        mergeSort(sortedP, sortedK, prefixes, keys, from, to);
      }
    }
    System.arraycopy(sortedK, 0, keys, 0, n);
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
