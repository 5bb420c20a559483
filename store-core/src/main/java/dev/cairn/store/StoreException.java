package dev.cairn.store;

/**
 * Base of every failure the store reports. Unchecked: storage errors are rarely recoverable by the
 * immediate caller, and the subclasses say what happened.
 *
 * <ul>
 *   <li>{@link CorruptionException}: bytes on disk fail a checksum or a structural check.
 *   <li>{@link StoreIOException}: the operating system reported an I/O error.
 *   <li>{@link StoreFailedException}: an earlier write or fsync failed, so the store no longer accepts writes.
 *   <li>{@link StoreClosedException}: the store was closed.
 *   <li>{@link StoreLockedException}: another {@code Store} holds the directory.
 * </ul>
 *
 * <p>Misuse (a null key, a key or value over its limit) is reported with the JDK's {@link
 * NullPointerException} and {@link IllegalArgumentException} instead, and writes nothing.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
