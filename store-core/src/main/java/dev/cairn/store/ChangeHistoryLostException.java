package dev.cairn.store;

/**
 * Thrown when a change cursor needs history that retention already deleted (see {@link
 * StoreOptions.Builder#changeRetention}). The store never skips changes silently; the consumer
 * must rebuild its state, e.g. with {@link ChangeQuery#snapshotThenTail()}.
 */
public class ChangeHistoryLostException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final long requestedAfter;
  private final long oldestAvailable;

  public ChangeHistoryLostException(long requestedAfter, long oldestAvailable) {
    super("changes after sequence " + requestedAfter + " are no longer retained; the oldest available change is "
        + oldestAvailable + " (resume with ChangeQuery.after(" + (oldestAvailable - 1) + ") or later)");
    this.requestedAfter = requestedAfter;
    this.oldestAvailable = oldestAvailable;
  }

  /** The sequence the cursor asked to resume after. */
  public long requestedAfter() {
    return requestedAfter;
  }

  /** The oldest sequence still in the retained history. */
  public long oldestAvailable() {
    return oldestAvailable;
  }
}
