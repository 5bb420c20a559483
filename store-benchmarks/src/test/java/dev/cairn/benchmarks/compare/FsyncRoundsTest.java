package dev.cairn.benchmarks.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fsync rows' rounds: the engine order alternates, and an engine's figure is the mean of the
 * rounds that measured it, with every round's figure in its note.
 */
class FsyncRoundsTest {
  private static Results round(double fsync1, String note) {
    Results r = new Results();
    r.put("fsync1", fsync1, note);
    return r;
  }

  @Test
  void evenRounds_runTheEnginesInOrder_andOddRoundsInReverse() {
    List<String> engines = List.of("cairn", "rocksdb", "sqlite");

    assertEquals(List.of("cairn", "rocksdb", "sqlite"), FsyncRounds.order(engines, 0));
    assertEquals(List.of("sqlite", "rocksdb", "cairn"), FsyncRounds.order(engines, 1));
    assertEquals(List.of("cairn", "rocksdb", "sqlite"), FsyncRounds.order(engines, 2));
    assertEquals(List.of("cairn", "rocksdb", "sqlite"), engines, "the caller's list is left as it was");
  }

  @Test
  void theFigure_isTheMeanOfTheRounds_andTheNoteGivesEachRound() {
    Results merged = new Results();
    Results second = round(6_000, "6,000 commits in 1.0 s, 1 writer(s)");
    second.put("incrFsync", 5_000, "increments: 5,000 in 1.000 s (time box hit)");

    FsyncRounds.merge(merged, List.of(round(3_000, "3,000 commits in 1.0 s, 1 writer(s)"), second));

    assertEquals(4_500, merged.value("fsync1"));
    assertEquals("mean of 2 round(s); round 1: 3,000/s (3,000 commits in 1.0 s, 1 writer(s));"
        + " round 2: 6,000/s (6,000 commits in 1.0 s, 1 writer(s))", merged.note("fsync1"));
    assertEquals(5_000, merged.value("incrFsync"), "a round without the figure is left out of the mean");
    assertTrue(merged.note("incrFsync").startsWith("mean of 1 round(s); round 1: not measured; round 2: 5,000/s"),
        merged.note("incrFsync"));
    assertTrue(Double.isNaN(merged.value("fsync8")), "no round measured it, so it stays unmeasured");
  }
}
