package dev.cairn.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One change from a {@link ChangeCursor}: a key, its new value (null for a delete) and the
 * sequence number of the commit. Immutable: accessors return copies.
 */
public final class Change {
  /** What happened to the key. */
  public enum Kind {
    /** The commit set the key to {@link #value()}. */
    PUT,
    /** The commit removed the key; {@link #value()} is null. */
    DELETE,
    /** The key had {@link #value()} when a {@link ChangeQuery#snapshotThenTail()} cursor opened. */
    EXISTING
  }

  private final long sequence;
  private final Kind kind;
  private final byte[] key;
  private final byte[] value;

  public Change(long sequence, Kind kind, byte[] key, byte[] value) {
    this.sequence = sequence;
    this.kind = Objects.requireNonNull(kind, "kind");
    this.key = key.clone();
    this.value = value == null ? null : value.clone();
    if ((value == null) != (kind == Kind.DELETE)) {
      throw new IllegalArgumentException(kind + " change " + (value == null ? "without" : "with") + " a value");
    }
  }

  /**
   * The sequence of the commit. All changes of one commit share it. For {@link Kind#EXISTING} it is
   * the sequence of the snapshot the cursor started from.
   */
  public long sequence() {
    return sequence;
  }

  public Kind kind() {
    return kind;
  }

  public byte[] key() {
    return key.clone();
  }

  /** The new value; null for {@link Kind#DELETE}. */
  public byte[] value() {
    return value == null ? null : value.clone();
  }

  public String keyString() {
    return new String(key, StandardCharsets.UTF_8);
  }

  /** The value as UTF-8, or null for a delete. */
  public String valueString() {
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Change)) {
      return false;
    }
    Change c = (Change) o;
    return sequence == c.sequence && kind == c.kind && Arrays.equals(key, c.key) && Arrays.equals(value, c.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sequence, kind, Arrays.hashCode(key), Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return "Change{" + sequence + " " + kind + " " + HexFormat.of().formatHex(key)
        + (value == null ? "" : " (" + value.length + " bytes)") + "}";
  }
}
