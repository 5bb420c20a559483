package dev.cairn.store.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.ReliabilitySummary;
import dev.cairn.store.Store;
import dev.cairn.store.StoreLockedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory lock across processes and within one JVM: {@link Store#open} of a directory that a
 * live store holds throws {@link StoreLockedException}, wherever that store is, and the lock is
 * released by {@link Store#close()} or by the death of its process. Other processes are {@link
 * LockProbe} child JVMs.
 *
 * <p>Knob: {@code cairn.lock.rounds} (default 100), the rounds of the two-process race.
 */
class CrossProcessLockTest {
  private static final int RACE_ROUNDS = Integer.getInteger("cairn.lock.rounds", 100);
  private static final long LINE_TIMEOUT_MILLIS = 60_000;
  private static final String HOLD_MILLIS = "300";

  @TempDir Path tmp;

  @Test
  void openInAnotherProcess_failsWithStoreLocked_whileThisJvmHoldsTheStore_andSucceedsAfterClose() throws Exception {
    Path dir = tmp.resolve("store");
    try (Store store = Store.open(dir)) {
      store.put("owner", "parent");
      try (ChildJvm probe = startProbe("probe-while-held", dir)) {
        awaitReady(probe);
        probe.send("go");
        String result = probe.expectLine(LINE_TIMEOUT_MILLIS);
        assertTrue(result.startsWith("locked "), "a second process opened a held store: " + result + probe.stderrForMessage());
        probe.awaitExitAndDrain(LINE_TIMEOUT_MILLIS);
        assertEquals(LockProbe.LOCKED, probe.process().exitValue(), probe.stderrForMessage());
      }
      assertEquals("parent", store.get("owner"), "the holder lost its store to the failed open");
    }
    try (ChildJvm probe = startProbe("probe-after-close", dir)) {
      awaitReady(probe);
      probe.send("go");
      assertEquals("won", probe.expectLine(LINE_TIMEOUT_MILLIS), "the lock outlived close()" + probe.stderrForMessage());
      probe.send("release");
      assertEquals("closed", probe.expectLine(LINE_TIMEOUT_MILLIS), probe.stderrForMessage());
      probe.awaitExitAndDrain(LINE_TIMEOUT_MILLIS);
      assertEquals(LockProbe.WON, probe.process().exitValue(), probe.stderrForMessage());
    }
    try (Store store = Store.open(dir)) {
      assertEquals("parent", store.get("owner"));
      assertEquals("probe-after-close", store.get("winner-probe-after-close"), "the child's write is not in the store");
    }
  }

  @Test
  void secondOpenInTheSameJvm_throwsStoreLocked_andLeavesTheFirstStoreWorking() {
    Path dir = tmp.resolve("store");
    try (Store store = Store.open(dir)) {
      store.put("k", "v1");
      assertThrows(StoreLockedException.class, () -> Store.open(dir));
      Path sameDirSpelledOtherwise = dir.resolve("..").resolve(dir.getFileName());
      assertThrows(StoreLockedException.class, () -> Store.open(sameDirSpelledOtherwise));
      store.put("k", "v2");
      assertEquals("v2", store.get("k"));
    }
    try (Store reopened = Store.open(dir)) {
      assertEquals("v2", reopened.get("k"), "a failed open released or damaged the first store's directory");
    }
  }

  @Test
  void processKilledWhileHoldingTheStore_releasesTheLock() throws Exception {
    Path dir = tmp.resolve("store");
    try (ChildJvm probe = startProbe("probe-killed", dir)) {
      awaitReady(probe);
      probe.send("go");
      assertEquals("won", probe.expectLine(LINE_TIMEOUT_MILLIS), probe.stderrForMessage());
      assertThrows(StoreLockedException.class, () -> Store.open(dir), "the probe holds the store now");
      probe.killNine();
    }
    try (Store store = Store.open(dir)) {
      store.put("after", "kill");
      assertEquals("kill", store.get("after"));
    }
  }

  @Test
  void twoProcessesRacingToOpenOneDirectory_exactlyOneWinsEveryRound() throws Exception {
    Path dir = tmp.resolve("store");
    int won = 0;
    int locked = 0;
    List<String> winners = new ArrayList<>();
    for (int round = 1; round <= RACE_ROUNDS; round++) {
      try (ChildJvm a = startProbe("r" + round + "a", dir); ChildJvm b = startProbe("r" + round + "b", dir)) {
        awaitReady(a);
        awaitReady(b);
        a.send("go");
        b.send("go");
        String resultA = a.expectLine(LINE_TIMEOUT_MILLIS);
        String resultB = b.expectLine(LINE_TIMEOUT_MILLIS);
        int roundWon = (resultA.equals("won") ? 1 : 0) + (resultB.equals("won") ? 1 : 0);
        int roundLocked = (resultA.startsWith("locked ") ? 1 : 0) + (resultB.startsWith("locked ") ? 1 : 0);
        assertEquals(1, roundWon, "round " + round + ": a=" + resultA + ", b=" + resultB + a.stderrForMessage() + b.stderrForMessage());
        assertEquals(1, roundLocked, "round " + round + ": a=" + resultA + ", b=" + resultB + a.stderrForMessage() + b.stderrForMessage());
        ChildJvm winner = resultA.equals("won") ? a : b;
        ChildJvm loser = winner == a ? b : a;
        winners.add(winner.toString());
        winner.send("release");
        assertEquals("closed", winner.expectLine(LINE_TIMEOUT_MILLIS), winner.stderrForMessage());
        winner.awaitExitAndDrain(LINE_TIMEOUT_MILLIS);
        loser.awaitExitAndDrain(LINE_TIMEOUT_MILLIS);
        assertEquals(LockProbe.WON, winner.process().exitValue(), winner.stderrForMessage());
        assertEquals(LockProbe.LOCKED, loser.process().exitValue(), loser.stderrForMessage());
        won += roundWon;
        locked += roundLocked;
      }
    }
    try (Store store = Store.open(dir)) {
      for (String winner : winners) {
        assertEquals(winner, store.get("winner-" + winner), "the winner of a round did not really hold the store");
      }
    }
    ReliabilitySummary.record("lock race", RACE_ROUNDS + " rounds of two JVMs, " + won + " won, " + locked + " locked");
  }

  private static void awaitReady(ChildJvm probe) throws InterruptedException {
    String line = probe.expectLine(LINE_TIMEOUT_MILLIS);
    assertTrue(line.startsWith("ready"), probe + " said '" + line + "' instead of ready" + probe.stderrForMessage());
  }

  private ChildJvm startProbe(String tag, Path dir) throws Exception {
    return ChildJvm.start(tmp.resolve("logs"), tag, LockProbe.class, dir.toString(), tag, HOLD_MILLIS);
  }
}
