package dev.cairn.store.model;

import dev.cairn.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a failing sequence of steps down to a short one that still fails, by removing ever smaller
 * chunks of it (a simple delta debugging), replaying each candidate on a new store. Prints the
 * result one step per line. Used by {@link ModelTest} when {@code -Dcairn.shrink=true}.
 */
final class ModelShrinker {
  private ModelShrinker() {}

  static List<Op> shrink(String label, List<Op> failing, StoreOptions options, Path workDir) {
    List<Op> steps = new ArrayList<>(failing);
    int[] attempts = {0};
    String failure = failureOf(steps, options, workDir, attempts);
    if (failure == null) {
      System.out.println(label + ": the failure did not reproduce on replay; nothing to shrink");
      return steps;
    }
    for (int chunk = Math.max(1, steps.size() / 2); chunk >= 1; chunk /= 2) {
      boolean removedAny = true;
      while (removedAny) {
        removedAny = false;
        for (int from = steps.size() - chunk; from >= 0; from -= chunk) {
          List<Op> candidate = new ArrayList<>(steps.subList(0, from));
          candidate.addAll(steps.subList(from + chunk, steps.size()));
          String f = failureOf(candidate, options, workDir, attempts);
          if (f != null) {
            steps = candidate;
            failure = f;
            removedAny = true;
            from = Math.min(from, steps.size() - chunk + 1);
          }
        }
      }
    }
    StringBuilder out = new StringBuilder(label + ": shrunk to " + steps.size() + " steps after "
        + attempts[0] + " replays; failure:\n" + failure + "\nsteps:\n");
    for (Op op : steps) {
      out.append("  ").append(op).append('\n');
    }
    System.out.println(out);
    return steps;
  }

  /** The first line of the failure of replaying {@code steps}, or null if they pass. */
  private static String failureOf(List<Op> steps, StoreOptions options, Path workDir, int[] attempts) {
    Path dir = workDir.resolve("shrink-" + attempts[0]++);
    try {
      ModelTest.replay("shrink", dir, options, steps);
      return null;
    } catch (Throwable t) {
      String message = String.valueOf(t.getMessage());
      int newline = message.indexOf('\n');
      return t.getClass().getSimpleName() + ": " + (newline < 0 ? message : message.substring(0, newline));
    }
  }
}
