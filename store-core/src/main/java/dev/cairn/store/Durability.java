package dev.cairn.store;

import java.time.Duration;
import java.util.Objects;

/**
 * When an acknowledged write reaches stable storage. Immutable.
 *
 * <ul>
 *   <li>{@link #SYNC}: a write returns after its WAL record is fsynced. Nothing acknowledged is lost
 *       on a process crash or on a power loss. Concurrent writers share one fsync (group commit).
 *   <li>{@link #periodic(Duration)} (default {@code periodic(100 ms)}): a write returns once its WAL
 *       record is in the operating system, and a background thread fsyncs every interval. A
 *       process crash ({@code kill -9}) loses nothing acknowledged; a power loss or kernel crash can
 *       lose the writes of the last interval. What survives is always a prefix of the commit order.
 * </ul>
 */
public final class Durability {
  /** Fsync before acknowledging each write (shared by concurrent writers). */
  public static final Durability SYNC = new Durability(Duration.ZERO);

  private final Duration interval;

  private Durability(Duration interval) {
    this.interval = interval;
  }

  /**
   * Acknowledge writes once they are in the operating system, and fsync every {@code interval}.
   * HAZARD: a power loss can take the writes of the last interval.
   */
  public static Durability periodic(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("periodic fsync interval must be positive: " + interval);
    }
    return new Durability(interval);
  }

  /** True for {@link #SYNC}. */
  public boolean isSync() {
    return interval.isZero();
  }

  /** The background fsync interval; zero for {@link #SYNC}. */
  public Duration interval() {
    return interval;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Durability && ((Durability) o).interval.equals(interval);
  }

  @Override
  public int hashCode() {
    return interval.hashCode();
  }

  @Override
  public String toString() {
    return isSync() ? "SYNC" : "periodic(" + interval.toMillis() + " ms)";
  }
}
