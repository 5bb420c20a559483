package dev.cairn.store;

/** Thrown by every operation on a store, snapshot or cursor after it was closed. */
public class StoreClosedException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreClosedException(String message) {
    super(message);
  }
}
