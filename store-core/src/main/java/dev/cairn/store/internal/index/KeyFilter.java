package dev.cairn.store.internal.index;

import dev.cairn.store.internal.util.Bytes;

/**
 * A Bloom filter of the keys written into one in-memory map of the {@link KeyIndex}: a clear bit
 * proves that the map does not hold a key, so a point read skips the map's traversal. Two bits per
 * key, about 16 bits per key the map is expected to take; past that it only answers "maybe" more
 * often. Never cleared: a map's filter lives and dies with the map.
 *
 * <p>Both of a key's bits are in one 64-bit word (a blocked filter), so a probe reads one word: at
 * most one cache miss where two independent bits would cost two. A filter that no key was added to
 * answers without reading its words at all.
 *
 * <p>Bits are set under the index's write lock. They are read under its read or write lock, or in
 * an optimistic read that the lock then validates, which orders them after every completed write.
 */
final class KeyFilter {
  private static final int BITS_PER_KEY = 16;
  private static final int MIN_BITS = 1 << 12;
  private static final int MAX_BITS = 1 << 26;

  private final long[] words;
  private final int wordMask;
  private boolean empty = true;

  /** A filter for a map expected to take about {@code expectedKeys} keys. */
  KeyFilter(int expectedKeys) {
    long wanted = Math.max(MIN_BITS, Math.min(MAX_BITS, (long) expectedKeys * BITS_PER_KEY));
    int bits = Integer.highestOneBit((int) wanted - 1) << 1; // the power of two at or above
    this.words = new long[bits >>> 6];
    this.wordMask = words.length - 1;
  }

  /** Records {@code key}. Under the index's write lock. */
  void add(byte[] key) {
    long h = hash(key);
    words[(int) h & wordMask] |= bits(h);
    empty = false;
  }

  /** False only if {@code key} was never {@linkplain #add added}. */
  boolean mightContain(byte[] key) {
    if (empty) {
      return false;
    }
    long h = hash(key);
    long bits = bits(h);
    return (words[(int) h & wordMask] & bits) == bits;
  }

  /** The key's two bits in its word: from hash bits 32-37 and 38-43 (the word comes from the low bits). */
  private static long bits(long h) {
    return (1L << (h >>> 32)) | (1L << (h >>> 38));
  }

  /** 64 well-mixed bits of {@code key}: its 8-byte words folded in, then a finalizer. */
  static long hash(byte[] key) {
    long h = 0x9E3779B97F4A7C15L ^ key.length;
    int i = 0;
    for (; i + 8 <= key.length; i += 8) {
      h = (h ^ Bytes.getLong(key, i)) * 0xC2B2AE3D27D4EB4FL;
      h ^= h >>> 31;
    }
    long tail = 0;
    for (; i < key.length; i++) {
      tail = (tail << 8) | (key[i] & 0xFF);
    }
    h = (h ^ tail) * 0xC2B2AE3D27D4EB4FL;
    h ^= h >>> 29;
    h *= 0x165667B19E3779F9L;
    return h ^ (h >>> 32);
  }
}
