package dev.cairn.store;

/**
 * Thrown by writes after a write or fsync failed. Once the store cannot vouch that a write reached
 * the disk it stops accepting writes for good, and nothing is retried silently: close it and open
 * the directory again, which recovers every acknowledged write. Reads keep working. The cause is
 * the failure that latched the store.
 */
public class StoreFailedException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
