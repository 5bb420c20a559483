package dev.cairn.benchmarks.compare;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * How the fsync-per-commit figures (workload 2 and the fsync row of 5) are measured: in {@link
 * #ROUNDS} rounds after every engine's other workloads, each round a fresh JVM and a fresh store
 * per engine, the engines in the order given in even rounds (counting from 0) and in reverse order
 * in odd ones. An engine's figure is the mean of its rounds.
 *
 * <p>These rows are bound by the disk's sync rate, and on the machines these figures come from that
 * rate drifts by more than the engines differ: a loop of 150-byte writes and fdatasyncs into a
 * preallocated file ran at 5,556 a second, and at 2,972 when repeated 8 s later. With each engine
 * measured once in a run of about eight minutes, whichever engine met a slow stretch lost: one run
 * had Cairn at 2,982 commits/s with 1 writer and SQLite at 4,959, a later run of the two 6,235 and
 * 4,275. Rounds in alternating order put every engine early and late alike, so a steady drift
 * weighs on all of them the same.
 */
final class FsyncRounds {
  static final int ROUNDS = 2;
  static final List<String> WORKLOADS = List.of("fsync1", "fsync8", "incrFsync");

  private FsyncRounds() {}

  /** The engines of round {@code round} (from 0) in the order they run. */
  static List<String> order(List<String> engines, int round) {
    List<String> order = new ArrayList<>(engines);
    if (round % 2 == 1) {
      Collections.reverse(order);
    }
    return order;
  }

  /**
   * Puts into {@code into} each fsync workload's figure: the mean over the rounds of {@code rounds}
   * (in round order) that measured it, with a note that gives every round's figure and how it was
   * measured. A workload no round measured is left out.
   */
  static void merge(Results into, List<Results> rounds) {
    for (String workload : WORKLOADS) {
      double sum = 0;
      int measured = 0;
      List<String> notes = new ArrayList<>();
      for (int round = 0; round < rounds.size(); round++) {
        double value = rounds.get(round).value(workload);
        if (Double.isNaN(value)) {
          notes.add(String.format(Locale.ROOT, "round %d: not measured", round + 1));
          continue;
        }
        sum += value;
        measured++;
        notes.add(String.format(Locale.ROOT, "round %d: %,.0f/s (%s)", round + 1, value,
            rounds.get(round).note(workload)));
      }
      if (measured > 0) {
        into.put(workload, sum / measured, String.format(Locale.ROOT, "mean of %d round(s); %s",
            measured, String.join("; ", notes)));
      }
    }
  }
}
