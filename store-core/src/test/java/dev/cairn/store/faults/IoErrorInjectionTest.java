package dev.cairn.store.faults;

import static dev.cairn.store.testing.Op.utf8;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Compression;
import dev.cairn.store.Durability;
import dev.cairn.store.ReliabilitySummary;
import dev.cairn.store.Store;
import dev.cairn.store.StoreFailedException;
import dev.cairn.store.StoreIOException;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.faults.FaultyVfs.Fault;
import dev.cairn.store.internal.engine.StoreEngine;
import dev.cairn.store.testing.Op;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * I/O errors and a full disk at every operation of a workload. Each workload first runs with
 * nothing failing, to count its file-system operations M; then once for every N in 1..M and each
 * {@link Fault}, on a fresh store whose {@link FaultyVfs} fails operation N (counted from just
 * after open, through close). Every trial checks:
 *
 * <ul>
 *   <li>the failing call throws {@link StoreFailedException} or {@link StoreIOException} naming the
 *       file the fault hit (a failed read may only fail that read, and a change cursor whose poll
 *       failed goes on without skipping or repeating a change);
 *   <li>once a write-side operation failed, the store refuses writes with StoreFailedException,
 *       whether the failure was in a caller's write or in background work (WAL rotation, flush,
 *       checkpoint, compaction);
 *   <li>the failed store still reads a state that is the commits after a prefix of the commit
 *       order covering every acknowledged write, and {@code close()} returns within seconds;
 *   <li>reopening the directory with a healthy file system recovers such a state, and takes new
 *       writes.
 * </ul>
 *
 * Faults that hit background work after the workload's last write are caught by a probe write
 * after the workload. {@code -Dcairn.faults.every=K} runs every K-th N only (default 1: every N).
 */
class IoErrorInjectionTest {
  private static final long EVERY = Long.getLong("cairn.faults.every", 1);
  private static final Duration CLOSE_BOUND = Duration.ofSeconds(20);
  private static final Duration PROBE_LATCH_BOUND = Duration.ofSeconds(5);

  @TempDir static Path tmp;

  private static final List<String> summaries = new ArrayList<>();
  private static long workloads;
  private static long faultsFired;
  private static long acknowledgedChecked;
  private static long lost;

  /** A named single-threaded workload, the options of its store, and whether it runs compactions. */
  record Workload(String name, StoreOptions options, boolean compacts, Consumer<FaultSession> body) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Workload> workloads() {
    return List.of(
        new Workload("puts under SYNC", options(Durability.SYNC).build(), false, s -> {
          for (int i = 0; i < 12; i++) {
            s.put("key-" + i % 8, value(i, 24));
            if (i % 4 == 3) {
              s.checkRead("key-" + (i - 2) % 8);
            }
          }
        }),
        new Workload("puts under periodic durability, with flush()",
            options(Durability.periodic(Duration.ofMillis(3))).build(), false, s -> {
          for (int i = 0; i < 16; i++) {
            s.put("key-" + i % 10, value(i, 40));
            if (i % 4 == 3) {
              s.flush();
            }
          }
        }),
        new Workload("batches with deletes", options(Durability.SYNC).build(), false, s -> {
          for (int i = 0; i < 8; i++) {
            List<Op> ops = new ArrayList<>();
            ops.add(new Op("batch-" + i % 5, value(i, 30)));
            ops.add(new Op("batch-" + (i + 1) % 5, value(i + 100, 10)));
            ops.add(new Op("batch-" + (i + 3) % 5, null));
            s.write(ops);
          }
        }),
        new Workload("puts then deletes", options(Durability.SYNC).build(), false, s -> {
          for (int i = 0; i < 6; i++) {
            s.put("doomed-" + i, value(i, 16));
          }
          for (int i = 0; i < 6; i += 1) {
            s.delete("doomed-" + (i * 5) % 6);
          }
        }),
        new Workload("puts, deletes and the change feed", options(Durability.SYNC).build(), false, s -> {
          for (int i = 0; i < 8; i++) {
            s.put("feed-" + i % 5, value(i, 20));
          }
          s.delete("feed-2");
          s.checkChangeFeed();
          s.write(List.of(new Op("feed-9", value(9, 30)), new Op("feed-1", null)));
          s.checkChangeFeed();
        }),
        new Workload("large values and the change feed", options(Durability.SYNC).walRotateBytes(4 << 20).build(),
            false, s -> {
          for (int i = 0; i < 4; i++) {
            s.put("large-" + i, value(i, 100_000)); // records cross the feed's 256 KiB read buffer
          }
          s.checkChangeFeed();
        }),
        new Workload("background flush, checkpoint and compaction",
            options(Durability.periodic(Duration.ofMillis(2))).walRotateBytes(64 * 1024)
                .segmentBytes(1 << 20).blockBytes(4096).build(), true, s -> {
          for (int i = 0; i < 34; i++) {
            s.put("bulk-" + i % 12, value(i, 5000));
            if (i == 15) {
              s.pause(20); // the first flush finishes, so that the next WAL's overwrites make garbage
            }
            if (i % 10 == 9) {
              s.checkRead("bulk-" + (i - 9) % 12);
            }
          }
        }),
        new Workload("compact()", options(Durability.periodic(Duration.ofMillis(50))).backgroundCompaction(false)
            .blockBytes(1024).build(), true, s -> {
          for (int i = 0; i < 24; i++) {
            s.put("c-" + i % 10, value(i, 600));
          }
          s.compact(); // packs the WAL into a first segment
          for (int i = 0; i < 4; i++) {
            s.put("c-" + i, value(i + 50, 600));
          }
          s.delete("c-7");
          s.delete("c-8");
          s.compact(); // packs the overwrites into a second segment, then rewrites the first
          s.put("c-after", value(99, 100));
          s.checkRead("c-5");
        }));
  }

  @BeforeAll
  static void reset() {
    summaries.clear();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("workloads")
  void everyFailedOperation_givesATypedError_latchesWrites_andLosesNoAcknowledgedWrite(Workload workload) {
    List<String> problems = new ArrayList<>();
    long trials = 0;
    long fired = 0;
    long checked = 0;
    if (workload.compacts()) {
      assertCompacts(workload);
    }
    for (Fault fault : Fault.values()) {
      FaultyVfs counter = new FaultyVfs();
      AttemptLog baseline = runTrial(workload, counter, fault, 0, problems);
      long operations = counter.counted();
      assertTrue(baseline.acknowledged() > 0, workload + ": the fault-free run acknowledges its writes");
      for (long n = 1; n <= operations; n += EVERY) {
        FaultyVfs vfs = new FaultyVfs();
        AttemptLog log = runTrial(workload, vfs, fault, n, problems);
        trials++;
        if (vfs.failedOperation() != null) {
          fired++;
        }
        checked += log.acknowledged();
      }
      summaries.add(workload + " / " + fault + ": " + operations + " operations");
    }
    synchronized (IoErrorInjectionTest.class) {
      workloads++;
      faultsFired += fired;
      acknowledgedChecked += checked;
      lost += problems.stream().filter(p -> p.contains("LOST")).count();
    }
    System.out.println("io-errors " + workload + ": " + trials + " trials, " + fired + " faults fired, "
        + checked + " acknowledged writes checked, " + problems.size() + " problems");
    assertTrue(problems.isEmpty(), workload + ": " + problems.size() + " problems:\n"
        + String.join("\n", problems.subList(0, Math.min(20, problems.size()))));
  }

  @AfterAll
  static void printSummary() {
    ReliabilitySummary.record("io-errors", workloads + " workloads, " + faultsFired
        + " operations failed, " + acknowledgedChecked + " acknowledged writes checked, " + lost + " lost ("
        + String.join("; ", summaries) + ")");
  }

  // ---------------------------------------------------------------- one trial

  /** Runs {@code workload} on a fresh store whose operation {@code n} fails (none if n is 0). */
  private static AttemptLog runTrial(Workload workload, FaultyVfs vfs, Fault fault, long n, List<String> problems) {
    String trial = workload + " / " + fault + " at operation " + (n == 0 ? "none" : n);
    Path dir = tmp.resolve("trial-" + System.nanoTime());
    AttemptLog log = new AttemptLog();
    try {
      Store store = StoreEngine.open(dir, workload.options(), vfs);
      if (n == 0) {
        vfs.countOnly(fault);
      } else {
        vfs.arm(fault, n);
      }
      FaultSession session = new FaultSession(trial, store, vfs, log, problems);
      workload.body().accept(session);
      probeWrites(trial, store, vfs, session, log, problems);
      String context = trial + (vfs.failedOperation() == null ? "" : " (" + vfs.failedOperation() + ")");
      try {
        if (log.matchingPrefix(store) < 0) {
          problems.add(context + ": the open store shows no prefix state covering every acknowledged write");
        }
      } catch (StoreIOException e) {
        session.checkNamesFailedFile(e, "the scan after the workload"); // this read hit the fault
      } catch (RuntimeException e) {
        problems.add(context + ": the scan after the workload threw " + e);
      }
      closeWithin(context, store, problems);
      if (n == 0) {
        vfs.disarm(); // the counting run stops at close; the reopen below is not counted
      }
      reopenAndCheck(context, dir, workload.options(), log, problems);
      return log;
    } finally {
      vfs.disarm();
      deleteRecursively(dir);
    }
  }

  /**
   * After the workload: if a write-side operation failed anywhere (the workload's calls or the
   * background), a write must now fail with StoreFailedException. A background task may still be
   * on its way to latching the store, so accepted probes are retried for a while (each accepted
   * probe is an acknowledged commit like any other).
   */
  private static void probeWrites(String trial, Store store, FaultyVfs vfs, FaultSession session, AttemptLog log,
      List<String> problems) {
    if (!session.failed() && !vfs.failedWriteSide()) {
      session.put("probe", utf8("written after the workload"));
      if (!session.failed() && !vfs.failedWriteSide()) {
        return;
      }
    }
    long deadline = System.nanoTime() + PROBE_LATCH_BOUND.toNanos();
    for (int i = 0; ; i++) {
      byte[] probe = utf8("probe " + i);
      if (!session.failed()) {
        log.attempt(List.of(new Op("probe", probe)));
      }
      try {
        store.put(utf8("probe"), probe);
        if (!session.failed()) {
          log.acknowledge();
        }
      } catch (StoreFailedException e) {
        session.checkNamesFailedFile(e, "the probe write after the failure");
        return;
      } catch (RuntimeException e) {
        problems.add(trial + " (" + vfs.failedOperation() + "): the probe write threw " + e
            + ", not StoreFailedException");
        return;
      }
      if (session.failed() || System.nanoTime() > deadline) {
        problems.add(trial + " (" + vfs.failedOperation() + "): a write after the failure was accepted: "
            + "the store did not latch");
        return;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** Runs the workload without faults and asserts that it compacts (in the background, maybe later). */
  private static void assertCompacts(Workload workload) {
    Path dir = tmp.resolve("compacts-" + System.nanoTime());
    List<String> problems = new ArrayList<>();
    FaultyVfs healthy = new FaultyVfs();
    try (Store store = StoreEngine.open(dir, workload.options(), healthy)) {
      workload.body().accept(new FaultSession(workload + " without faults", store, healthy, new AttemptLog(), problems));
      long deadline = System.nanoTime() + PROBE_LATCH_BOUND.toNanos();
      while (store.stats().compactions() == 0) {
        assertTrue(System.nanoTime() < deadline, workload + ": the fault-free run compacts: " + store.stats());
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
    } finally {
      deleteRecursively(dir);
    }
    assertTrue(problems.isEmpty(), workload + " without faults: " + problems);
  }

  private static void closeWithin(String context, Store store, List<String> problems) {
    try {
      assertTimeoutPreemptively(CLOSE_BOUND, () -> {
        try {
          store.close();
        } catch (StoreFailedException | StoreIOException e) {
          // a fault during close is reported by close; the reopen checks what it left
        }
      }, context + ": close()");
    } catch (AssertionError | RuntimeException e) {
      problems.add(context + ": close() " + e);
    }
  }

  private static void reopenAndCheck(String context, Path dir, StoreOptions options, AttemptLog log,
      List<String> problems) {
    try {
      assertTimeoutPreemptively(CLOSE_BOUND, () -> {
        try (Store store = Store.open(dir, options)) {
          int k = log.matchingPrefix(store);
          if (k < 0) {
            problems.add(context + ": LOST: the reopened store holds no prefix state covering the "
                + log.acknowledged() + " acknowledged commits of " + log.attempted() + " attempted");
          }
          byte[] after = utf8("after reopen");
          store.put(utf8("after-reopen"), after);
          if (!Arrays.equals(after, store.get(utf8("after-reopen")))) {
            problems.add(context + ": the reopened store lost a new write");
          }
        }
      }, context + ": reopen");
    } catch (AssertionError | RuntimeException e) {
      problems.add(context + ": reopen with a healthy file system failed: " + FaultSession.messages(e));
    }
  }

  // ---------------------------------------------------------------- data

  private static StoreOptions.Builder options(Durability durability) {
    return StoreOptions.builder().durability(durability).compression(Compression.LZ4);
  }

  private static byte[] value(int i, int length) {
    byte[] v = new byte[length];
    for (int j = 0; j < length; j++) {
      v[j] = (byte) ('a' + (i * 7 + j / 16) % 26);
    }
    return v;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
