package dev.cairn.benchmarks.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verdicts BENCHMARKS.md publishes: each cell's Cairn/peer ratio, and each goal of issue 6 met
 * or missed in the right direction (higher or lower is better), with the closest peer named and
 * peers without a figure left out of the verdict.
 */
class ReportTest {
  @TempDir
  Path work;

  private final Map<String, Results> results = new LinkedHashMap<>();

  private void figure(String engine, String workload, double value) {
    results.computeIfAbsent(engine, e -> new Results()).put(workload, value, "");
  }

  private String render() {
    return new Report(Profile.QUICK, "2g", "store-benchmarks/compare --profile quick", results, Map.of(), 1, work)
        .render();
  }

  /** The one line of {@code markdown} that starts with {@code prefix}. */
  private static String line(String markdown, String prefix) {
    List<String> lines = markdown.lines().filter(l -> l.startsWith(prefix)).toList();
    assertEquals(1, lines.size(), "lines starting with " + prefix + ": " + lines);
    return lines.get(0);
  }

  private static String goal(String markdown, String goal) {
    return line(markdown, "| " + goal + " |");
  }

  private static final String FILL_GOAL =
      "Writes (1. random fill, 100 B values, 1 writer, no fsync per write): ahead of every peer";

  @Test
  void aWriteGoal_isMetOnlyWhenCairnIsAheadOfEveryPeer_andNamesTheClosestPeerWithItsRatio() {
    figure("cairn", "fill100", 300_000);
    figure("rocksdb", "fill100", 100_000);
    figure("chronicle", "fill100", 500_000);
    assertEquals("| " + FILL_GOAL + " | missed | Chronicle Map: 0.60 (Cairn 300,000 vs 500,000 puts/s) |",
        goal(render(), FILL_GOAL));

    figure("chronicle", "fill100", 250_000);
    assertEquals("| " + FILL_GOAL + " | met | Chronicle Map: 1.20 (Cairn 300,000 vs 250,000 puts/s) |",
        goal(render(), FILL_GOAL));
  }

  @Test
  void aTie_isNotAhead() {
    figure("cairn", "fill100", 300_000);
    figure("rocksdb", "fill100", 300_000);

    assertTrue(goal(render(), FILL_GOAL).contains("| missed | RocksDB: 1.00"));
  }

  @Test
  void theFootprintGoal_countsTheSmallerFigureAsAhead() {
    String smallest = "Footprint (6, after close): smallest";
    figure("cairn", "fill100", 1);
    figure("cairn", "json", 13_500_000);
    figure("mapdb", "json", 28_000_000);
    figure("rocksdb", "json", 14_000_000);
    assertEquals("| " + smallest + " | met | RocksDB: 0.96 (Cairn 13.50 vs 14 MB) |", goal(render(), smallest));

    figure("cairn", "json", 15_000_000);
    assertEquals("| " + smallest + " | missed | RocksDB: 1.07 (Cairn 15 vs 14 MB) |", goal(render(), smallest));
  }

  @Test
  void theWithinGoal_acceptsAPeerUpTo1Point5TimesFaster_andNoFaster() {
    String within = "Point reads (3, gets): within 1.5x of LMDB and Chronicle Map";
    figure("cairn", "fill100", 1);
    figure("cairn", "get", 800_000);
    figure("lmdb", "get", 1_000_000);
    figure("chronicle", "get", 1_200_000);
    assertEquals("| " + within + " | met | LMDB: 0.80, Chronicle Map: 0.67 |", goal(render(), within));

    figure("chronicle", "get", 1_200_001);
    assertTrue(goal(render(), within).startsWith("| " + within + " | missed |"));
  }

  @Test
  void aPeerWithoutAFigure_showsNotApplicable_andIsLeftOutOfTheVerdict() {
    String fsyncGoal = "Writes (2. fill with fsync per commit, 1 writer): ahead of every peer";
    figure("cairn", "fill100", 1);
    figure("cairn", "fsync1", 5_000);
    figure("sqlite", "fsync1", 4_000);
    figure("chronicle", "fill100", 2);

    String markdown = render();
    assertEquals("| 2. fill with fsync per commit, 1 writer | commits/s, higher is better | 5,000 | 4,000 (1.25) | n/a |",
        line(markdown, "| 2. fill with fsync per commit, 1 writer |"));
    assertEquals("| " + fsyncGoal + " | met | SQLite: 1.25 (Cairn 5,000 vs 4,000 commits/s); no figure from Chronicle Map |",
        goal(markdown, fsyncGoal));
  }

  @Test
  void withoutCairn_noGoalIsEvaluated() {
    figure("rocksdb", "fill100", 100_000);

    String markdown = render();
    assertTrue(markdown.contains("Cairn was not part of this run: no goal is evaluated."));
    assertTrue(markdown.lines().noneMatch(l -> l.startsWith("| " + FILL_GOAL)));
  }
}
