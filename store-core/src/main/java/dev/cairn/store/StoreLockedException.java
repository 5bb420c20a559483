package dev.cairn.store;

/**
 * Thrown by {@link Store#open} when another {@code Store}, in this JVM or in another process, already
 * holds the directory. Only one store may have a directory open at a time; the lock is released
 * when that store is closed or its process exits.
 */
public class StoreLockedException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreLockedException(String message) {
    super(message);
  }
}
