package dev.cairn.store.internal.util;

import dev.cairn.store.Entry;

/**
 * Lets the engine make an {@link Entry} that adopts its arrays instead of copying them, as {@link
 * Entry}'s public constructor must. The engine hands over only arrays nothing else will change: a
 * value read fresh from a block, and a key from the index, whose keys are never written after
 * they are made. {@link Entry} installs the implementation when it is initialized (the pattern of
 * the JDK's shared secrets), so the adopting constructor stays private to it.
 */
public abstract class EntryAccess {
  private static volatile EntryAccess installed;

  protected EntryAccess() {}

  /** Called once, by {@link Entry}'s static initializer. */
  public static void install(EntryAccess access) {
    if (installed != null) {
      throw new IllegalStateException("EntryAccess is installed already");
    }
    installed = access;
  }

  /** An entry over {@code key} and {@code value} themselves; the caller gives them up. */
  public static Entry adopt(byte[] key, byte[] value, long sequence) {
    EntryAccess access = installed;
    if (access == null) {
      try {
        Class.forName(Entry.class.getName(), true, Entry.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      access = installed;
    }
    return access.wrap(key, value, sequence);
  }

  protected abstract Entry wrap(byte[] key, byte[] value, long sequence);
}
