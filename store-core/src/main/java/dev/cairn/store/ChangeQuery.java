package dev.cairn.store;

import java.util.Objects;

/**
 * Where a {@link ChangeCursor} starts and which keys it reports. Immutable.
 *
 * <ul>
 *   <li>{@link #after(long)}: every change committed after that sequence; resume a consumer with
 *       the {@link ChangeCursor#position()} it last saw.
 *   <li>{@link #fromNow()}: changes committed after the cursor opens.
 *   <li>{@link #snapshotThenTail()}: every live entry as of one sequence S (kind {@code EXISTING}),
 *       then every change after S.
 * </ul>
 * {@link #range(KeyRange)} narrows any of them to the keys of a range.
 */
public final class ChangeQuery {
  enum Start { AFTER, NOW, SNAPSHOT }

  private final Start start;
  private final long sequence;
  private final KeyRange range;

  private ChangeQuery(Start start, long sequence, KeyRange range) {
    this.start = start;
    this.sequence = sequence;
    this.range = range;
  }

  /** Every change committed after {@code sequence} (0: from the first commit still retained). */
  public static ChangeQuery after(long sequence) {
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must not be negative: " + sequence);
    }
    return new ChangeQuery(Start.AFTER, sequence, KeyRange.all());
  }

  /** Changes committed after the cursor opens. */
  public static ChangeQuery fromNow() {
    return new ChangeQuery(Start.NOW, 0, KeyRange.all());
  }

  /** Every live entry at one sequence S as {@code EXISTING} changes, then every change after S. */
  public static ChangeQuery snapshotThenTail() {
    return new ChangeQuery(Start.SNAPSHOT, 0, KeyRange.all());
  }

  /** The same query, reporting only changes to keys in {@code range}. */
  public ChangeQuery range(KeyRange range) {
    return new ChangeQuery(start, sequence, Objects.requireNonNull(range, "range"));
  }

  /** Whether the cursor starts with the snapshot phase. */
  public boolean isSnapshotThenTail() {
    return start == Start.SNAPSHOT;
  }

  /** Whether the cursor starts at the last commit when it opens. */
  public boolean isFromNow() {
    return start == Start.NOW;
  }

  /** For {@link #after(long)} queries: the sequence after which changes are reported. */
  public long afterSequence() {
    return sequence;
  }

  public KeyRange keyRange() {
    return range;
  }

  @Override
  public String toString() {
    String s = start == Start.AFTER ? "after(" + sequence + ")" : start == Start.NOW ? "fromNow()" : "snapshotThenTail()";
    return range.equals(KeyRange.all()) ? s : s + ".range(" + range + ")";
  }
}
