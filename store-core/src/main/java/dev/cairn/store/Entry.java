package dev.cairn.store;

import dev.cairn.store.internal.util.EntryAccess;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One key and its value as a scan saw them, with the sequence number of the commit that wrote the
 * value. Immutable: the accessors return copies, so callers may keep or change what they get.
 */
public final class Entry {
  private final byte[] key;
  private final byte[] value;
  private final long sequence;

  static {
    EntryAccess.install(new EntryAccess() {
      @Override
      protected Entry wrap(byte[] key, byte[] value, long sequence) {
        return new Entry(sequence, key, value);
      }
    });
  }

  public Entry(byte[] key, byte[] value, long sequence) {
    this(sequence, key.clone(), value.clone());
  }

  /** Adopts the arrays: only for {@link EntryAccess}, whose callers give them up. */
  private Entry(long sequence, byte[] key, byte[] value) {
    this.key = key;
    this.value = value;
    this.sequence = sequence;
  }

  public byte[] key() {
    return key.clone();
  }

  public byte[] value() {
    return value.clone();
  }

  /** The key decoded as UTF-8. */
  public String keyString() {
    return new String(key, StandardCharsets.UTF_8);
  }

  /** The value decoded as UTF-8. */
  public String valueString() {
    return new String(value, StandardCharsets.UTF_8);
  }

  /** Sequence number of the commit that wrote this value. */
  public long sequence() {
    return sequence;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Entry)) {
      return false;
    }
    Entry e = (Entry) o;
    return sequence == e.sequence && Arrays.equals(key, e.key) && Arrays.equals(value, e.value);
  }

  @Override
  public int hashCode() {
    return (Arrays.hashCode(key) * 31 + Arrays.hashCode(value)) * 31 + Long.hashCode(sequence);
  }

  @Override
  public String toString() {
    HexFormat hex = HexFormat.of();
    return "Entry{key=" + hex.formatHex(key) + ", value=" + value.length + " bytes, sequence=" + sequence + "}";
  }
}
