package dev.cairn.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A contiguous range of keys in unsigned byte order: from an inclusive lower bound to an exclusive
 * upper bound, either of which may be open. Immutable and thread-safe; the bounds are copied.
 */
public final class KeyRange {
  private static final KeyRange ALL = new KeyRange(null, null);

  private final byte[] fromInclusive;
  private final byte[] toExclusive;

  private KeyRange(byte[] fromInclusive, byte[] toExclusive) {
    this.fromInclusive = fromInclusive;
    this.toExclusive = toExclusive;
  }

  /** Every key. */
  public static KeyRange all() {
    return ALL;
  }

  /** Every key that starts with {@code prefix}; the empty prefix is {@link #all()}. */
  public static KeyRange prefix(byte[] prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.length == 0) {
      return ALL;
    }
    return new KeyRange(prefix.clone(), successor(prefix));
  }

  /** Every key whose UTF-8 encoding starts with the UTF-8 encoding of {@code prefix}. */
  public static KeyRange prefix(String prefix) {
    return prefix(Objects.requireNonNull(prefix, "prefix").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Keys {@code k} with {@code fromInclusive <= k < toExclusive}; a null bound is open. An empty
   * range (from at or past to) is allowed and contains nothing.
   */
  public static KeyRange between(byte[] fromInclusive, byte[] toExclusive) {
    return new KeyRange(
        fromInclusive == null ? null : fromInclusive.clone(),
        toExclusive == null ? null : toExclusive.clone());
  }

  /** {@link #between(byte[], byte[])} over the UTF-8 encodings of the bounds. */
  public static KeyRange between(String fromInclusive, String toExclusive) {
    return between(
        fromInclusive == null ? null : fromInclusive.getBytes(StandardCharsets.UTF_8),
        toExclusive == null ? null : toExclusive.getBytes(StandardCharsets.UTF_8));
  }

  /** Keys at or after {@code fromInclusive}. */
  public static KeyRange atLeast(byte[] fromInclusive) {
    return between(Objects.requireNonNull(fromInclusive, "fromInclusive"), null);
  }

  /** The inclusive lower bound, or null when open. Returns a copy. */
  public byte[] fromInclusive() {
    return fromInclusive == null ? null : fromInclusive.clone();
  }

  /** The exclusive upper bound, or null when open. Returns a copy. */
  public byte[] toExclusive() {
    return toExclusive == null ? null : toExclusive.clone();
  }

  /** Whether {@code key} is in the range. */
  public boolean contains(byte[] key) {
    Objects.requireNonNull(key, "key");
    return (fromInclusive == null || Arrays.compareUnsigned(key, fromInclusive) >= 0)
        && (toExclusive == null || Arrays.compareUnsigned(key, toExclusive) < 0);
  }

  /** Whether no key can be in the range. */
  public boolean isEmpty() {
    return fromInclusive != null && toExclusive != null
        && Arrays.compareUnsigned(fromInclusive, toExclusive) >= 0;
  }

  /** The smallest key greater than every key starting with {@code prefix}, or null if none exists. */
  private static byte[] successor(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] next = Arrays.copyOf(prefix, i + 1);
        next[i]++;
        return next;
      }
    }
    return null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRange
        && Arrays.equals(fromInclusive, ((KeyRange) o).fromInclusive)
        && Arrays.equals(toExclusive, ((KeyRange) o).toExclusive);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(fromInclusive) + Arrays.hashCode(toExclusive);
  }

  @Override
  public String toString() {
    HexFormat hex = HexFormat.of();
    return "KeyRange[" + (fromInclusive == null ? "-inf" : hex.formatHex(fromInclusive))
        + ", " + (toExclusive == null ? "+inf" : hex.formatHex(toExclusive)) + ")";
  }
}
