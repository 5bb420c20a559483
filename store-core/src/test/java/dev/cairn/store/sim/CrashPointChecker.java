package dev.cairn.store.sim;

import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.StoreException;
import dev.cairn.store.internal.engine.StoreEngine;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.testing.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Crashes a {@link Workload} at every mutating file-system operation and checks what each crash
 * image recovers to. For crash point N: run the workload on a fresh {@link MemoryVfs} that dies at
 * operation N (the store latches; it is then closed, its exceptions ignored), take one image per
 * {@link #PLANS crash plan}, open each image with the real engine and check it against the
 * workload's {@link CommitLog}:
 *
 * <ul>
 *   <li>the crash reaches the workload as a {@code StoreException}, and no exception escapes a
 *       store thread;
 *   <li>the store opens;
 *   <li>its {@code lastSequence} L covers every acknowledged durable commit (each one missing counts
 *       as lost) and is at most the commits acknowledged plus those in flight;
 *   <li>its content, read by a full scan and by a get of every key ever written, is exactly the
 *       state after the first L commits: so batches are all or nothing and no value is garbage.
 * </ul>
 *
 * The same checker runs {@link CrashPointTest} and {@link PlantedBugTest}; the latter passes a
 * {@code plant} that wraps the simulated file system with a bug. Not thread-safe.
 */
final class CrashPointChecker {
  static final Path DIR = Path.of("/sim-store");

  /** The crash plans tried at each crash point: each content mode alone and with directory forgetting, and forgetting alone. */
  static final List<Set<CrashMode>> PLANS = List.of(
      EnumSet.of(CrashMode.DROP_UNSYNCED),
      EnumSet.of(CrashMode.KEEP_RANDOM_PREFIX),
      EnumSet.of(CrashMode.TEAR_LAST_WRITE),
      EnumSet.of(CrashMode.ZERO_FILL_EXTENSION),
      EnumSet.of(CrashMode.FORGET_UNSYNCED_DIR_ENTRIES),
      EnumSet.of(CrashMode.FORGET_UNSYNCED_DIR_ENTRIES, CrashMode.DROP_UNSYNCED),
      EnumSet.of(CrashMode.FORGET_UNSYNCED_DIR_ENTRIES, CrashMode.KEEP_RANDOM_PREFIX),
      EnumSet.of(CrashMode.FORGET_UNSYNCED_DIR_ENTRIES, CrashMode.TEAR_LAST_WRITE),
      EnumSet.of(CrashMode.FORGET_UNSYNCED_DIR_ENTRIES, CrashMode.ZERO_FILL_EXTENSION));

  private final Random random;
  private final UnaryOperator<Vfs> plant;

  /** @param plant wraps the simulated file system the workload runs on (identity: the real engine, unchanged) */
  CrashPointChecker(long seed, UnaryOperator<Vfs> plant) {
    this.random = new Random(seed);
    this.plant = plant;
  }

  /** One run of a workload: the file system it ran on and what it committed. */
  record Run(MemoryVfs fs, CommitLog log) {}

  /** Runs {@code workload} on a fresh file system that dies at {@code crashAt} (0: never). */
  Run run(Workload workload, long crashAt, CrashReport report) {
    MemoryVfs fs = new MemoryVfs();
    if (crashAt > 0) {
      fs.crashAtOperation(crashAt);
    }
    CommitLog log = new CommitLog(workload.options().durability().isSync());
    Store store = null;
    try {
      store = StoreEngine.open(DIR, workload.options(), plant.apply(fs));
      workload.body().run(store, log);
      Store closing = store;
      store = null;
      closing.close();
    } catch (RuntimeException e) {
      if (fs.crashReport() == null) {
        report.fail("workload failed without a crash (crash point " + crashAt + "): " + e, e);
      } else if (!(e instanceof StoreException)) {
        report.fail("a crash at " + crashAt + " surfaced as an unclassified " + e, e);
      }
    } finally {
      if (store != null) {
        closeIgnoringFailure(store);
      }
    }
    return new Run(fs, log);
  }

  /**
   * Runs {@code check} with a default uncaught-exception handler that reports any exception
   * escaping a thread of a store in {@link #DIR} (the engine's background threads must classify
   * and latch their failures, never die of them).
   */
  private static CrashReport reportingUncaught(CrashReport report, Runnable check) {
    String suffix = "-" + DIR.getFileName();
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Queue<String> uncaught = new ConcurrentLinkedQueue<>();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
      if (thread.getName().endsWith(suffix)) {
        uncaught.add("uncaught on " + thread.getName() + ": " + e);
      }
      if (previous != null) {
        previous.uncaughtException(thread, e);
      } else {
        e.printStackTrace();
      }
    });
    try {
      check.run();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previous);
    }
    for (String u : uncaught) {
      report.fail(u, null);
    }
    return report;
  }

  /** Crashes {@code workload} at every operation of a full run, under every plan. */
  CrashReport checkEveryCrashPoint(Workload workload) {
    CrashReport report = new CrashReport(workload.name(), PLANS.size());
    return reportingUncaught(report, () -> everyCrashPoint(workload, report));
  }

  private void everyCrashPoint(Workload workload, CrashReport report) {
    Run full = run(workload, 0, report);
    long operations = full.fs().operationCount();
    report.operations = operations;
    verify(full.fs().copy(), full.log(), workload, "no crash", report, -1);
    for (long n = 1; n <= operations; n++) {
      Run crashed = run(workload, n, report);
      report.crashPoints++;
      for (Set<CrashMode> plan : PLANS) {
        verify(crashed.fs().crashImage(plan, random), crashed.log(), workload,
            "crash at " + n + " of " + operations + " (" + crashed.fs().crashReport() + "), " + plan, report, -1);
      }
    }
  }

  /** Operations that, crashed at, leave recovery work: a torn WAL tail, leftover segments, temporary files or checkpoints. */
  private static final Pattern LEAVES_RECOVERY_WORK = Pattern.compile(
      "sync .*\\.wal|append .*\\.seg|rename .*\\.ckpt\\.tmp|delete .*\\.(ckpt|seg|wal)");

  /** Content modes of the base images, in turn: each leaves torn or partial files for recovery. */
  private static final List<Set<CrashMode>> BASE_PLANS = List.of(
      EnumSet.of(CrashMode.KEEP_RANDOM_PREFIX),
      EnumSet.of(CrashMode.KEEP_RANDOM_PREFIX, CrashMode.FORGET_UNSYNCED_DIR_ENTRIES),
      EnumSet.of(CrashMode.TEAR_LAST_WRITE));

  /**
   * Crashes recovery itself. Takes base crash images of {@code workload} at up to {@code baseCount}
   * operations (0: all) that leave recovery work (a WAL sync, a segment append, a checkpoint rename,
   * a file deletion), each under a content mode that leaves torn or partial files; for each base,
   * crashes a fresh open (and close) at every one of its operations, then opens each plan's image of
   * that again. The second recovery must find what an uninterrupted recovery of the base found.
   */
  CrashReport checkCrashesDuringRecovery(Workload workload, int baseCount) {
    CrashReport report = new CrashReport("recovery(" + workload.name() + ")", PLANS.size());
    return reportingUncaught(report, () -> crashesDuringRecovery(workload, baseCount, report));
  }

  private void crashesDuringRecovery(Workload workload, int baseCount, CrashReport report) {
    List<String> workloadOperations = run(workload, 0, report).fs().operationLog();
    List<Long> candidates = new ArrayList<>();
    for (int i = 0; i < workloadOperations.size(); i++) {
      if (LEAVES_RECOVERY_WORK.matcher(workloadOperations.get(i)).matches()) {
        candidates.add(i + 1L);
      }
    }
    int bases = baseCount == 0 ? candidates.size() : Math.min(baseCount, candidates.size());
    for (int b = 0; b < bases; b++) {
      long baseCrash = candidates.get((int) ((long) b * candidates.size() / bases));
      Run crashed = run(workload, baseCrash, report);
      MemoryVfs base = crashed.fs().crashImage(BASE_PLANS.get(b % BASE_PLANS.size()), random);
      String baseContext = "base image " + b + " (" + crashed.fs().crashReport() + ", " + BASE_PLANS.get(b % BASE_PLANS.size()) + ")";
      MemoryVfs reference = base.copy();
      long recovered = verify(reference, crashed.log(), workload, baseContext, report, -1);
      long operations = reference.operationCount();
      report.operations += operations;
      for (long m = 1; m <= operations; m++) {
        MemoryVfs fs = base.copy();
        fs.crashAtOperation(m);
        try {
          closeIgnoringFailure(StoreEngine.open(DIR, workload.options(), fs));
        } catch (RuntimeException expected) {
          // the crash stopped recovery: what it left is checked below
        }
        report.crashPoints++;
        for (Set<CrashMode> plan : PLANS) {
          verify(fs.crashImage(plan, random), crashed.log(), workload, baseContext + ", recovery crash at " + m
              + " of " + operations + " (" + fs.crashReport() + "), " + plan, report, recovered);
        }
      }
    }
  }

  /**
   * Opens {@code image}, checks it against {@code log} and closes it; returns the sequence it
   * recovered, or -1 if it did not open. {@code expectedSequence} ≥ 0 also requires that sequence.
   */
  long verify(MemoryVfs image, CommitLog log, Workload workload, String context, CrashReport report,
      long expectedSequence) {
    report.images++;
    report.acknowledgedChecked += log.durableCount();
    Store store;
    try {
      store = StoreEngine.open(DIR, workload.options(), image);
    } catch (RuntimeException e) {
      report.failedOpens++;
      report.fail(context + ": the image does not open: " + e, e);
      return -1;
    }
    long sequence = -1;
    try {
      sequence = store.lastSequence();
      if (sequence < log.durableCount()) {
        report.lost += log.durableCount() - sequence;
        report.fail(context + ": recovered sequence " + sequence + " but " + log.durableCount()
            + " commits were acknowledged as durable", null);
      }
      if (sequence > log.maxSequence()) {
        report.wrongStates++;
        report.fail(context + ": recovered sequence " + sequence + " but only " + log.maxSequence()
            + " commits were attempted", null);
      } else {
        String mismatch = contentMismatch(store, log.stateAt(sequence), log.everWritten());
        if (mismatch != null) {
          report.wrongStates++;
          report.fail(context + ": content is not the state after commit " + sequence + ": " + mismatch, null);
        }
      }
      if (expectedSequence >= 0 && sequence != expectedSequence) {
        report.wrongStates++;
        report.fail(context + ": recovered sequence " + sequence + "; recovery without a crash found "
            + expectedSequence, null);
      }
    } catch (RuntimeException e) {
      report.wrongStates++;
      report.fail(context + ": reading the recovered store failed: " + e, e);
    } finally {
      try {
        store.close();
      } catch (RuntimeException e) {
        report.fail(context + ": closing the recovered store failed: " + e, e);
      }
    }
    return sequence;
  }

  /** Live threads of stores in {@link #DIR}, waiting up to 5 s for closing ones to end. */
  static List<String> storeThreads() throws InterruptedException {
    return storeThreads(DIR);
  }

  /** Live threads of stores in {@code dir}, waiting up to 5 s for closing ones to end. */
  static List<String> storeThreads(Path dir) throws InterruptedException {
    String suffix = "-" + dir.getFileName();
    long deadline = System.nanoTime() + 5_000_000_000L;
    for (;;) {
      List<String> names = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.isAlive() && t.getName().startsWith("cairn-") && t.getName().endsWith(suffix))
          .map(Thread::getName).sorted().toList();
      if (names.isEmpty() || System.nanoTime() > deadline) {
        return names;
      }
      Thread.sleep(50);
    }
  }

  /** Null if {@code store} holds exactly {@code expected}, else the first difference. */
  static String contentMismatch(Store store, TreeMap<String, byte[]> expected, List<String> probes) {
    for (String key : probes) {
      byte[] got = store.get(Op.utf8(key));
      if (!Arrays.equals(expected.get(key), got)) {
        return "get(" + key + ") is " + describe(got) + ", expected " + describe(expected.get(key));
      }
    }
    TreeMap<String, byte[]> scanned = new TreeMap<>();
    try (Cursor cursor = store.scan(KeyRange.all())) {
      while (cursor.hasNext()) {
        Entry e = cursor.next();
        scanned.put(e.keyString(), e.value());
      }
    }
    if (!scanned.keySet().equals(expected.keySet())) {
      return "scan found keys " + scanned.keySet() + ", expected " + expected.keySet();
    }
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      if (!Arrays.equals(e.getValue(), scanned.get(e.getKey()))) {
        return "scan value of " + e.getKey() + " is " + describe(scanned.get(e.getKey()));
      }
    }
    return null;
  }

  private static String describe(byte[] value) {
    return value == null ? "absent" : value.length + " bytes starting " + new String(value, 0,
        Math.min(8, value.length), StandardCharsets.ISO_8859_1);
  }

  private static void closeIgnoringFailure(Store store) {
    try {
      store.close();
    } catch (RuntimeException ignored) {
      // a dead store may fail to flush on close; its threads stop all the same
    }
  }
}
