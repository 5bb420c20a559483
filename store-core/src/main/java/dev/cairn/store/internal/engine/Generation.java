package dev.cairn.store.internal.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The writes of a run of WAL files that no segment holds yet: files {@code walFrom..walTo}, whose
 * last commit is {@code lastSequence}, and the keys they wrote. Flushing a generation packs those
 * values into a segment, after which the WAL files are no longer needed for recovery.
 */
record Generation(long walFrom, long walTo, long lastSequence, List<byte[]> keys) {
  /** Consecutive generations, oldest first, as one. */
  static Generation joined(List<Generation> run) {
    Generation first = run.get(0);
    if (run.size() == 1) {
      return first;
    }
    Generation last = first;
    List<byte[]> keys = new ArrayList<>(first.keys);
    for (Generation g : run.subList(1, run.size())) {
      if (g.walFrom <= last.walTo || g.lastSequence < last.lastSequence) {
        throw new IllegalStateException("WAL files " + g.walFrom + ".." + g.walTo + " up to sequence "
            + g.lastSequence + " do not follow files " + last.walFrom + ".." + last.walTo + " up to sequence "
            + last.lastSequence);
      }
      keys.addAll(g.keys);
      last = g;
    }
    return new Generation(first.walFrom, last.walTo, last.lastSequence, keys);
  }
}
