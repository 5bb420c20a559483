package dev.cairn.store.recovery;

import dev.cairn.store.ReliabilitySummary;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Totals of the corruption sweeps run in this JVM ({@link CorruptionSweepTest}, {@link
 * FileDamageSweepTest}), for the one summary line that begins {@code RELIABILITY corruption:} ({@link #report}).
 * Each sweep class prints it when it ends, so the last line printed covers every sweep run.
 * Thread-safe.
 */
final class CorruptionTally {
  private static long flipped;
  private static long truncated;
  private static long detected;
  private static long harmless;
  private static long tornTails;
  private static long wrongValues;
  private static final Set<String> sweeps = new LinkedHashSet<>();
  private static final List<String> wrong = new ArrayList<>();

  private CorruptionTally() {}

  /** Records one damaged copy: flipped (else truncated), and whether it was detected. */
  static synchronized void record(String sweep, boolean flip, boolean wasDetected) {
    sweeps.add(sweep);
    if (flip) {
      flipped++;
    } else {
      truncated++;
    }
    if (wasDetected) {
      detected++;
    } else {
      harmless++;
    }
  }

  /** Records a damaged newest-WAL tail record dropped on open, as docs/FORMAT.md specifies for a torn tail. */
  static synchronized void tornTail(String sweep, boolean flip) {
    sweeps.add(sweep);
    if (flip) {
      flipped++;
    } else {
      truncated++;
    }
    tornTails++;
  }

  /** Records a wrong value (the sweep fails too). */
  static synchronized void wrongValue(String what) {
    wrongValues++;
    wrong.add(what);
  }

  /** Records the running total in the {@link ReliabilitySummary}, replacing the previous total. */
  static synchronized void report() {
    ReliabilitySummary.replace("corruption", summary());
  }

  static synchronized String summary() {
    return flipped + " offsets flipped, " + truncated + " offsets truncated, "
        + detected + " detected (CorruptionException naming the file and offset), " + harmless + " harmless, "
        + tornTails + " newest-WAL tail records dropped as torn, " + wrongValues + " wrong values (sweeps so far: "
        + String.join(", ", sweeps) + ")";
  }
}
