package dev.cairn.store.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.ReliabilitySummary;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Exhaustive crash points: each workload is crashed at every mutating file-system operation of a
 * run and each crash image, under every {@link CrashPointChecker#PLANS plan}, must recover to a
 * prefix of the commit order that keeps every acknowledged write ({@link CrashPointChecker}).
 * The CI tier keeps the workloads small; {@code -Dcairn.sim.long=true} runs them about four times
 * larger. Each workload prints one {@code RELIABILITY crash-points:} line ({@link ReliabilitySummary}), and a total follows.
 *
 * <pre>mvn -pl store-core test -Dtest=CrashPointTest [-Dcairn.sim.long=true]</pre>
 */
class CrashPointTest {
  private static final boolean LONG = Boolean.getBoolean("cairn.sim.long");
  private static final int SCALE = LONG ? 4 : 1;
  private static final long SEED = Long.getLong("cairn.sim.seed", 20261122L);
  private static final CrashReport TOTAL = new CrashReport("total", CrashPointChecker.PLANS.size());
  private static long totalMillis;

  private static void check(Workload workload) {
    long started = System.nanoTime();
    CrashReport report = new CrashPointChecker(SEED, UnaryOperator.identity()).checkEveryCrashPoint(workload);
    record(report, started);
  }

  private static void record(CrashReport report, long startedNanos) {
    long millis = (System.nanoTime() - startedNanos) / 1_000_000;
    ReliabilitySummary.record("crash-points", report.summary(SEED, millis));
    synchronized (TOTAL) {
      totalMillis += millis;
      TOTAL.operations += report.operations;
      TOTAL.crashPoints += report.crashPoints;
      TOTAL.images += report.images;
      TOTAL.acknowledgedChecked += report.acknowledgedChecked;
      TOTAL.lost += report.lost;
      TOTAL.failedOpens += report.failedOpens;
      TOTAL.wrongStates += report.wrongStates;
      for (long i = 0; i < report.failureCount(); i++) {
        TOTAL.fail(report.workload + " failed", null);
      }
    }
    assertTrue(report.crashPoints > 0, "the workload performed operations");
    assertTrue(report.acknowledgedChecked > 0, "some acknowledged writes were checked");
    assertEquals(0, report.failureCount(), () -> report.workload + ": " + report.failures());
  }

  @AfterAll
  static void printTotalAndCheckThreads() throws InterruptedException {
    ReliabilitySummary.record("crash-points", TOTAL.summary(SEED, totalMillis));
    assertEquals(List.of(), CrashPointChecker.storeThreads(), "threads left by the crashed and recovered stores");
  }

  @Test
  void everyCrashPointOfPutsKeepsAcknowledgedWrites() {
    check(Workload.puts(25 * SCALE));
  }

  @Test
  void everyCrashPointOfOverwritesRecoversAPrefix() {
    check(Workload.overwrites(25 * SCALE));
  }

  @Test
  void everyCrashPointOfBatchesKeepsThemAllOrNothing() {
    check(Workload.batches(15 * SCALE));
  }

  @Test
  void everyCrashPointOfGroupCommitsKeepsEveryCompletedFuture() {
    check(Workload.groupCommit(5 * SCALE));
  }

  @Test
  void everyCrashPointOfDeletesKeepsThemDeleted() {
    check(Workload.deletes(20 * SCALE));
  }

  @Test
  void everyCrashPointBetweenSyncBarriersRecoversAPrefixKeepingWhatWasFlushed() {
    check(Workload.barriers(30 * SCALE));
  }

  @Test
  void everyCrashPointAcrossUnsyncedWalRotationsRecoversAPrefixKeepingWhatWasFlushed() {
    check(Workload.rotatingBarriers(130 * SCALE));
  }

  @Test
  void everyCrashPointOfFlushesCheckpointsAndCompactionsIsRecoverable() {
    check(Workload.segmented(200 * SCALE));
  }

  @Test
  void everyCrashPointOfCheckpointWritingIsRecoverable() {
    check(Workload.checkpoints(4 * SCALE));
  }

  /** Without this, the crash points above could miss whole kinds of file operations. */
  @Test
  void theSegmentedWorkloadFlushesCheckpointsCompactsAndDeletesFiles() {
    CrashReport unused = new CrashReport("coverage", 0);
    List<String> log = new CrashPointChecker(SEED, UnaryOperator.identity())
        .run(Workload.segmented(200 * SCALE), 0, unused).fs().operationLog();
    System.out.println("segmented workload operations: " + log.stream()
        .map(op -> op.replaceAll("[0-9]{20}", "N")).collect(Collectors.groupingBy(op -> op, TreeMap::new, Collectors.counting())));
    for (String expected : List.of(
        "create N.seg", "sync N.seg", "create N.ckpt.tmp", "rename N.ckpt.tmp", "delete N.ckpt", "delete N.wal",
        "delete N.seg")) {
      assertTrue(log.stream().anyMatch(op -> op.replaceAll("[0-9]{20}", "N").equals(expected)), expected);
    }
    assertEquals(0, unused.failureCount(), () -> unused.failures().toString());
  }

  @Test
  void aCrashDuringRecoveryLeavesWhatTheFirstRecoveryWouldHaveFound() {
    long started = System.nanoTime();
    CrashReport report = new CrashPointChecker(SEED, UnaryOperator.identity())
        .checkCrashesDuringRecovery(Workload.segmented(200 * SCALE), LONG ? 0 : 48);
    record(report, started);
  }
}
