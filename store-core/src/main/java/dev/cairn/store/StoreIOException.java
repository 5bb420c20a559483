package dev.cairn.store;

import java.io.IOException;

/** Thrown when the operating system reports an I/O error; the cause is the original {@link IOException}. */
public class StoreIOException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreIOException(String message, IOException cause) {
    super(message, cause);
  }
}
