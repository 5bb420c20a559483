package dev.cairn.store.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.ReliabilitySummary;
import dev.cairn.store.internal.fs.Vfs;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The crash-point checker of {@link CrashPointTest}, run over file systems with a planted
 * durability bug ({@link PlantedBugs}), must report lost acknowledged writes or an image that does
 * not open: if it passed, it could not be trusted to catch the same bug in the engine.
 */
class PlantedBugTest {
  private static final long SEED = 20261122L;

  private static CrashReport check(String bug, UnaryOperator<Vfs> plant, Workload workload) {
    long started = System.nanoTime();
    CrashReport report = new CrashPointChecker(SEED, plant).checkEveryCrashPoint(workload);
    // Not a "RELIABILITY crash-points:" line: these losses are planted, and expected.
    ReliabilitySummary.record("planted-bug", "bug=" + bug + " " + report.summary(SEED, (System.nanoTime() - started) / 1_000_000));
    System.out.println("  first failures: " + report.failures());
    assertTrue(report.lost > 0 || report.failedOpens > 0,
        bug + ": the checker must report a lost acknowledged write or a failed open; it saw " + report.failures());
    return report;
  }

  @Test
  void missingWalFsyncLosesAcknowledgedWrites() {
    CrashReport report = check("missing-wal-fsync", PlantedBugs::missingWalFsync, Workload.puts(10));
    assertTrue(report.lost > 0, "the commits acknowledged but never fsynced are lost");
  }

  @Test
  void missingDirectoryFsyncLosesAcknowledgedWrites() {
    CrashReport report = check("missing-directory-fsync", PlantedBugs::missingDirectoryFsync, Workload.puts(10));
    assertTrue(report.lost > 0, "the store directory or its WAL vanishes with the writes in it");
  }

  @Test
  void deletingTheWalBeforeItsSegmentIsDurableIsCaught() {
    check("delete-before-replacement-durable", PlantedBugs::deleteBeforeReplacementIsDurable, Workload.segmented(60));
  }
}
