package dev.cairn.benchmarks.compare;

import dev.cairn.benchmarks.Directories;
import dev.cairn.benchmarks.JsonDocuments;
import dev.cairn.benchmarks.engines.Counters;
import dev.cairn.benchmarks.engines.Engines;
import dev.cairn.benchmarks.engines.KvEngine;
import dev.cairn.benchmarks.engines.KvEngine.Durability;
import dev.cairn.benchmarks.engines.KvEngine.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs the workloads of one engine in this JVM, which {@link Compare} forked for that engine alone
 * (its JVM flags, a fixed heap). Three phases, each its own JVM:
 *
 * <ul>
 *   <li>{@code main}: workloads 1, 3, 4, 5 (no fsync) and 6, in the order that keeps each figure
 *       clean;
 *   <li>{@code open}: workload 7 on the store {@code main} left closed, in a fresh JVM so heap and
 *       open time are not skewed by what ran before;
 *   <li>{@code fsync}: workload 2 and the fsync row of 5 on a fresh store, once per round of {@link
 *       FsyncRounds}.
 * </ul>
 *
 * <p>Usage: {@code EngineRun --engine ID --phase main|open|fsync --profile quick|full|smoke --dir DIR
 * --out FILE}. Results go to FILE after every workload ({@link Results}), so a failure keeps the figures
 * measured before it.
 */
public final class EngineRun {
  static final long SEED = 0xCA124L;
  private static final int VALUE_BYTES = 100;
  private static final int LARGE_VALUE_BYTES = 1024;
  private static final int LOAD_BATCH = 10_000;
  private static final int JSON_BATCH = 1_000;
  private static final int SCAN_ENTRIES = 1_000;
  private static final int FSYNC_WRITERS = 8;
  private static final int MIX_THREADS = 2;
  /** Most measured passes of workload 5 without fsync; see {@link #counter}. */
  static final int COUNTER_PASSES = 5;
  private static final int JSON_AVERAGE_BYTES = 320;

  private final KvEngine engine;
  private final Profile profile;
  private final Path dir;
  private final Path out;
  private final Results results = new Results();
  /** When this JVM's run started, for the elapsed time on each progress line. */
  private final long startedNanos = System.nanoTime();

  private EngineRun(KvEngine engine, Profile profile, Path dir, Path out) {
    this.engine = engine;
    this.profile = profile;
    this.dir = dir;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    String engineId = null;
    String phase = null;
    String profileName = "quick";
    Path dir = null;
    Path out = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--engine" -> engineId = args[i + 1];
        case "--phase" -> phase = args[i + 1];
        case "--profile" -> profileName = args[i + 1];
        case "--dir" -> dir = Path.of(args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (engineId == null || phase == null || dir == null || out == null || args.length % 2 != 0) {
      throw new IllegalArgumentException(
          "usage: EngineRun --engine ID --phase main|open|fsync --profile quick|full|smoke --dir DIR --out FILE");
    }
    EngineRun run = new EngineRun(Engines.create(engineId), Profile.named(profileName), dir, out);
    switch (phase) {
      case "main" -> run.runMain();
      case "open" -> run.runOpen();
      case "fsync" -> run.runFsync();
      default -> throw new IllegalArgumentException("unknown phase " + phase);
    }
    // Some engines leave non-daemon threads behind after close.
    System.exit(0);
  }

  // ---- phase main: workloads 1, 3 to 6 --------------------------------------------------------

  private void runMain() throws InterruptedException, IOException {
    Files.createDirectories(dir);
    Keys keys = new Keys(SEED, profile.keyCount());
    Settings plain = new Settings(Durability.PROCESS_CRASH_SAFE, false, keys.count() + 1, VALUE_BYTES);
    results.putText("settings.plain", engine.settings(plain));
    results.putText("settings.fsync", engine.supportsFsync()
        ? engine.settings(new Settings(Durability.FSYNC_PER_COMMIT, false, 1_000_000, VALUE_BYTES))
        : "n/a: no fsync");
    results.putText("settings.footprint", engine.settings(
        new Settings(Durability.PROCESS_CRASH_SAFE, true, profile.jsonDocumentCount(), JSON_AVERAGE_BYTES)));
    results.putText("compaction", engine.compaction());
    results.putText("version", Versions.of(engine));
    save();

    Path store = dir.resolve("store-100");
    engine.open(store, plain);
    fill(keys);
    pointReads(keys);
    mix(keys);
    if (engine.supportsScan()) {
      scans();
    }
    counter("incr", profile.counterIncrements(), COUNTER_PASSES, profile.counterWarmUpSeconds(), profile.counterSeconds());
    engine.close();
    save();
    collectClosedStore();

    largeFill();
    collectClosedStore();
    footprint();
    progress("workloads 1, 3 to 6 done");
  }

  /**
   * Collects the heap once a store is closed, before the next workload opens a fresh one. A closed
   * store's garbage is in the old generation, where no young collection frees it; until the next
   * marking cycle it keeps young objects it points to alive, and a workload that follows pays for
   * copying them (in one run, the 1 KiB fill's GC threads used 350 to 410 ms of CPU after the
   * 1M-key store closed, and 10 to 30 ms after a collection). Engines whose data lives off the
   * heap lose next to nothing here.
   */
  private static void collectClosedStore() {
    System.gc();
  }

  /**
   * Workload 1: random fill, one writer, 100-byte values; the rest loaded in batches, in the same
   * random order, so that every engine's store is what random writes make of it. (Loaded in key
   * order, they took MapDB 44 s instead of 52 to 64 s, but its scans then ran 1.7 times and Xodus's
   * 2.5 times as fast as in the next run, which loaded them in random order.)
   */
  private void fill(Keys keys) {
    progress("1: random fill of %,d keys, 100-byte values, box %.0f s", keys.count(), profile.fillSeconds());
    SplittableRandom values = new SplittableRandom(SEED + 1);
    long deadline = System.nanoTime() + nanos(profile.fillSeconds());
    long start = System.nanoTime();
    int done = 0;
    while (done < keys.count() && System.nanoTime() < deadline) {
      engine.put(keys.key(done), Keys.value(values, VALUE_BYTES));
      done++;
    }
    double seconds = secondsSince(start);
    results.put("fill100", done / seconds, String.format(Locale.ROOT,
        "%,d puts in %.1f s%s", done, seconds,
        done < keys.count() ? "; time box hit, the other keys loaded in batches of 10,000" : ""));
    save();
    if (done == keys.count()) {
      return;
    }
    long loadStart = System.nanoTime();
    List<byte[]> batchKeys = new ArrayList<>();
    List<byte[]> batchValues = new ArrayList<>();
    for (int i = done; i < keys.count(); i++) {
      batchKeys.add(keys.key(i));
      batchValues.add(Keys.value(values, VALUE_BYTES));
      if (batchKeys.size() == LOAD_BATCH || i == keys.count() - 1) {
        engine.putBatch(batchKeys, batchValues);
        batchKeys.clear();
        batchValues.clear();
      }
    }
    progress("1: loaded the other %,d keys in %.1f s (not measured)", keys.count() - done, secondsSince(loadStart));
  }

  /** Workload 3a: random point reads on a warm store, after a warm-up pass. */
  private void pointReads(Keys keys) {
    progress("3: point reads, warm-up %.0f s then measured %.0f s", profile.readSeconds(), profile.readSeconds());
    readPass(keys, new SplittableRandom(SEED + 2));
    long start = System.nanoTime();
    long done = readPass(keys, new SplittableRandom(SEED + 3));
    double seconds = secondsSince(start);
    results.put("get", done / seconds, String.format(Locale.ROOT, "%,d gets in %.1f s, 1 thread", done, seconds));
    save();
  }

  private long readPass(Keys keys, SplittableRandom random) {
    long deadline = System.nanoTime() + nanos(profile.readSeconds());
    long done = 0;
    while (done < keys.count() && System.nanoTime() < deadline) {
      if (engine.get(keys.key(random.nextInt(keys.count()))) == null) {
        throw new IllegalStateException(engine.id() + ": a key written by the fill is missing");
      }
      done++;
    }
    return done;
  }

  /** Workload 3b: 90% gets, 10% puts of existing keys, on 2 threads, after an unmeasured pass of the same. */
  private void mix(Keys keys) throws InterruptedException {
    progress("3: 90/10 read/write mix on %d threads, warm-up %.0f s then measured %.0f s", MIX_THREADS,
        profile.warmUpSeconds(), profile.readSeconds());
    mixPass(keys, SEED + 20, profile.warmUpSeconds());
    long start = System.nanoTime();
    long operations = mixPass(keys, SEED + 10, profile.readSeconds());
    double seconds = secondsSince(start);
    results.put("mix", operations / seconds, String.format(Locale.ROOT,
        "%,d operations in %.1f s, 2 threads", operations, seconds));
    save();
  }

  private long mixPass(Keys keys, long seed, double boxSeconds) throws InterruptedException {
    LongAdder operations = new LongAdder();
    long deadline = System.nanoTime() + nanos(boxSeconds);
    runThreads(MIX_THREADS, thread -> {
      SplittableRandom random = new SplittableRandom(seed + thread);
      long done = 0;
      while (System.nanoTime() < deadline) {
        byte[] key = keys.key(random.nextInt(keys.count()));
        if (random.nextInt(10) == 0) {
          engine.put(key, Keys.value(random, VALUE_BYTES));
        } else if (engine.get(key) == null) {
          throw new IllegalStateException(engine.id() + ": a key written by the fill is missing");
        }
        done++;
      }
      operations.add(done);
    });
    return operations.sum();
  }

  /** Workload 4: scans of 1,000 consecutive entries from random start keys, after an unmeasured pass of the same. */
  private void scans() {
    progress("4: scans of %,d entries, warm-up %.0f s then measured %.0f s", SCAN_ENTRIES,
        profile.warmUpSeconds(), profile.scanSeconds());
    scanPass(new SplittableRandom(SEED + 5), profile.warmUpSeconds());
    long start = System.nanoTime();
    long done = scanPass(new SplittableRandom(SEED + 4), profile.scanSeconds());
    double seconds = secondsSince(start);
    results.put("scan", done / seconds, String.format(Locale.ROOT,
        "%,d scans of 1,000 entries in %.1f s", done, seconds));
    save();
  }

  private long scanPass(SplittableRandom random, double boxSeconds) {
    long deadline = System.nanoTime() + nanos(boxSeconds);
    long done = 0;
    while (done < 10 || System.nanoTime() < deadline) {
      int count = engine.scan(Keys.scanStart(random), SCAN_ENTRIES);
      if (count != SCAN_ENTRIES) {
        throw new IllegalStateException(engine.id() + ": a scan returned " + count + " entries");
      }
      done++;
    }
    return done;
  }

  /**
   * Workload 5: increments of one counter, each a read-modify-write transaction. After an
   * unmeasured run for all of {@code warmUpSeconds} (0: none), up to {@code maxPasses} passes of
   * {@code maxIncrements} each run within {@code boxSeconds}; the figure is the median of their
   * rates (a pass the box cuts short counts at its own rate). One pass of 100,000 increments takes
   * under 0.1 s on the fastest engines, where a single collection pause or compilation moves its
   * figure by a third.
   */
  private void counter(String workload, int maxIncrements, int maxPasses, double warmUpSeconds, double boxSeconds) {
    progress("5: counter increments (%s), %s, warm-up %.0f s, box %.0f s", workload,
        maxIncrements == Integer.MAX_VALUE ? "no count limit"
            : String.format(Locale.ROOT, "up to %d passes of %,d", maxPasses, maxIncrements),
        warmUpSeconds, boxSeconds);
    byte[] key = "counter:00000000".getBytes(StandardCharsets.US_ASCII);
    if (warmUpSeconds > 0) {
      increments(key, Integer.MAX_VALUE, nanos(warmUpSeconds));
    }
    long deadline = System.nanoTime() + nanos(boxSeconds);
    double[] rates = new double[maxPasses];
    List<String> passes = new ArrayList<>();
    while (passes.size() < maxPasses && (passes.isEmpty() || System.nanoTime() < deadline)) {
      long start = System.nanoTime();
      int done = increments(key, maxIncrements, deadline - start);
      double seconds = secondsSince(start);
      rates[passes.size()] = done / seconds;
      passes.add(String.format(Locale.ROOT, "%,d in %.3f s%s", done, seconds,
          done < maxIncrements ? " (time box hit)" : ""));
    }
    double median = median(Arrays.copyOf(rates, passes.size()));
    String note = passes.size() == 1 ? "increments: " + passes.get(0)
        : String.format(Locale.ROOT, "%d passes, median %,.0f/s; increments per pass: %s",
            passes.size(), median, String.join(", ", passes));
    results.put(workload, median, note);
    save();
  }

  /** Increments {@code key} until {@code maxIncrements} or the box; checks the final value. */
  private int increments(byte[] key, int maxIncrements, long boxNanos) {
    long before = Counters.decode(engine.get(key));
    long deadline = System.nanoTime() + boxNanos;
    int done = 0;
    while (done < maxIncrements && System.nanoTime() < deadline) {
      engine.increment(key);
      done++;
    }
    long after = Counters.decode(engine.get(key));
    if (after != before + done) {
      throw new IllegalStateException(engine.id() + ": counter is " + after + " after " + done
          + " increments from " + before);
    }
    return done;
  }

  /** Workload 1, 1 KiB values: a fresh store, time-boxed, one writer. */
  private void largeFill() {
    Keys keys = new Keys(SEED + 5, profile.largeValueKeyCount());
    progress("1: random fill of %,d keys, 1 KiB values, box %.0f s", keys.count(), profile.largeFillSeconds());
    Path store = dir.resolve("store-1k");
    engine.open(store, new Settings(Durability.PROCESS_CRASH_SAFE, false, keys.count() + 1, LARGE_VALUE_BYTES));
    SplittableRandom values = new SplittableRandom(SEED + 6);
    long deadline = System.nanoTime() + nanos(profile.largeFillSeconds());
    long start = System.nanoTime();
    int done = 0;
    while (done < keys.count() && System.nanoTime() < deadline) {
      engine.put(keys.key(done), Keys.value(values, LARGE_VALUE_BYTES));
      done++;
    }
    double seconds = secondsSince(start);
    engine.close();
    results.put("fill1k", done / seconds, String.format(Locale.ROOT, "%,d puts in %.1f s%s",
        done, seconds, done < keys.count() ? " (time box hit)" : ""));
    save();
    Directories.deleteTree(store);
  }

  // ---- phase fsync: workload 2 and the fsync row of 5 -----------------------------------------

  /**
   * Workload 2: fsync per commit, 1 writer then 8 writers, then counter increments with fsync, on a
   * fresh store. An engine without fsync measures nothing.
   */
  private void runFsync() throws InterruptedException, IOException {
    if (!engine.supportsFsync()) {
      return;
    }
    Files.createDirectories(dir);
    Path store = dir.resolve("store-fsync");
    engine.open(store, new Settings(Durability.FSYNC_PER_COMMIT, false, 2_000_000, VALUE_BYTES));
    for (int writers : new int[] {1, FSYNC_WRITERS}) {
      progress("2: fsync per commit, %d writer(s), %.0f s", writers, profile.fsyncSeconds());
      LongAdder commits = new LongAdder();
      long deadline = System.nanoTime() + nanos(profile.fsyncSeconds());
      long start = System.nanoTime();
      runThreads(writers, thread -> {
        SplittableRandom random = new SplittableRandom(SEED + 100 * writers + thread);
        long done = 0;
        while (done < 3 || System.nanoTime() < deadline) {
          engine.put(Keys.value(random, Keys.KEY_BYTES), Keys.value(random, VALUE_BYTES));
          done++;
        }
        commits.add(done);
      });
      double seconds = secondsSince(start);
      results.put("fsync" + writers, commits.sum() / seconds, String.format(Locale.ROOT,
          "%,d commits in %.1f s, %d writer(s)", commits.sum(), seconds, writers));
      save();
    }
    counter("incrFsync", Integer.MAX_VALUE, 1, 0, profile.fsyncSeconds()); // fsync-bound: no warm-up, one pass
    engine.close();
    Directories.deleteTree(store);
  }

  /** Workload 6: JSON documents with the best compression, then 3 overwrites and a compaction. */
  private void footprint() {
    int count = profile.jsonDocumentCount();
    Keys keys = new Keys(SEED + 7, count);
    progress("6: footprint of %,d JSON documents, then 3 overwrites and compaction", count);
    Path store = dir.resolve("store-json");
    Settings best = new Settings(Durability.PROCESS_CRASH_SAFE, true, count, JSON_AVERAGE_BYTES);
    JsonDocuments documents = new JsonDocuments(SEED + 8);
    AtomicLong rawBytes = new AtomicLong();
    long start = System.nanoTime();
    engine.open(store, best);
    jsonPass(keys, documents, rawBytes, Long.MAX_VALUE);
    engine.close();
    long initialBytes = DiskUsage.allocatedBytes(store);
    results.put("jsonRaw", rawBytes.get(), String.format(Locale.ROOT,
        "%,d documents, %.0f bytes per key + value on average", count, (double) rawBytes.get() / count));
    results.put("json", initialBytes, String.format(Locale.ROOT,
        "after close; %.2fx the raw bytes; apparent file sizes %,d", (double) initialBytes / rawBytes.get(),
        DiskUsage.apparentBytes(store)));
    save();

    progress("6: 3 overwrite passes, box %.0f s", profile.overwriteSeconds());
    engine.open(store, best);
    long deadline = System.nanoTime() + nanos(profile.overwriteSeconds());
    for (int pass = 0; pass < 3; pass++) {
      rawBytes.set(0);
      if (!jsonPass(keys, documents, rawBytes, deadline)) {
        engine.close();
        results.put("jsonOverwrittenBox", pass, String.format(Locale.ROOT,
            "not measured: the 3 overwrite passes did not finish in the %.0f s time box (stopped in pass %d)",
            profile.overwriteSeconds(), pass + 1));
        results.put("jsonSeconds", secondsSince(start), "whole footprint workload, batches of 1,000");
        save();
        Directories.deleteTree(store);
        return;
      }
    }
    engine.compact();
    engine.close();
    long compactedBytes = DiskUsage.allocatedBytes(store);
    results.put("jsonOverwritten", compactedBytes, String.format(Locale.ROOT,
        "after 3 overwrites of every key, compaction and close; %.2fx the raw bytes of the live data;"
            + " apparent file sizes %,d", (double) compactedBytes / rawBytes.get(), DiskUsage.apparentBytes(store)));
    results.put("jsonSeconds", secondsSince(start), "whole footprint workload, batches of 1,000");
    save();
    Directories.deleteTree(store);
  }

  /**
   * Puts one document per key in batches of 1,000; false if {@code deadlineNanos} (a {@link
   * System#nanoTime()} value, or {@code Long.MAX_VALUE} for none) passed first.
   */
  private boolean jsonPass(Keys keys, JsonDocuments documents, AtomicLong rawBytes, long deadlineNanos) {
    List<byte[]> batchKeys = new ArrayList<>();
    List<byte[]> batchValues = new ArrayList<>();
    for (int i = 0; i < keys.count(); i++) {
      byte[] document = documents.next();
      rawBytes.addAndGet(Keys.KEY_BYTES + document.length);
      batchKeys.add(keys.key(i));
      batchValues.add(document);
      if (batchKeys.size() == JSON_BATCH || i == keys.count() - 1) {
        engine.putBatch(batchKeys, batchValues);
        batchKeys.clear();
        batchValues.clear();
        if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0) {
          return i == keys.count() - 1;
        }
      }
    }
    return true;
  }

  // ---- phase open: workload 7 -----------------------------------------------------------------

  /** Workload 7: open time (open + first get, median of 3) and heap bytes per key after open. */
  private void runOpen() throws InterruptedException {
    Keys keys = new Keys(SEED, profile.keyCount());
    Path store = dir.resolve("store-100");
    Settings plain = new Settings(Durability.PROCESS_CRASH_SAFE, false, keys.count() + 1, VALUE_BYTES);
    byte[] firstKey = keys.key(0);
    progress("7: open of the closed %,d-key store, 3 times", keys.count());
    double[] openMillis = new double[3];
    long heapBytes = 0;
    for (int i = 0; i < openMillis.length; i++) {
      long baseline = i == 0 ? usedHeapAfterGc() : 0;
      long start = System.nanoTime();
      engine.open(store, plain);
      if (engine.get(firstKey) == null) {
        throw new IllegalStateException(engine.id() + ": the first key is missing after open");
      }
      openMillis[i] = secondsSince(start) * 1000;
      if (i == 0) {
        heapBytes = usedHeapAfterGc() - baseline;
      }
      engine.close();
      collectClosedStore();
    }
    results.put("open", median(openMillis), String.format(Locale.ROOT,
        "open + first get, median of 3 in a fresh JVM (%.0f, %.0f, %.0f ms; the first includes class loading)",
        openMillis[0], openMillis[1], openMillis[2]));
    results.put("heapPerKey", (double) heapBytes / keys.count(), String.format(Locale.ROOT,
        "(used heap after open and GC - before) / keys = %,d / %,d; off-heap and native memory not counted",
        heapBytes, keys.count()));
    save();
    Directories.deleteTree(store);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private interface ThreadBody {
    void run(int thread);
  }

  private static void runThreads(int count, ThreadBody body) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int t = 0; t < count; t++) {
      int thread = t;
      Thread worker = new Thread(() -> body.run(thread), "bench-" + t);
      worker.setUncaughtExceptionHandler((th, e) -> {
        synchronized (failures) {
          failures.add(e);
        }
      });
      threads.add(worker);
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    if (!failures.isEmpty()) {
      IllegalStateException failure = new IllegalStateException("a benchmark thread failed", failures.get(0));
      failures.stream().skip(1).forEach(failure::addSuppressed);
      throw failure;
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private void save() {
    results.write(out);
  }

  private void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, "[%s +%.1f s] " + format + "%n",
        prepend(engine.id(), secondsSince(startedNanos), args));
  }

  private static Object[] prepend(Object first, Object second, Object[] rest) {
    Object[] all = new Object[rest.length + 2];
    all[0] = first;
    all[1] = second;
    System.arraycopy(rest, 0, all, 2, rest.length);
    return all;
  }

  /** The median of {@code values}: the middle one, or the mean of the middle two. */
  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }

  private static long nanos(double seconds) {
    return (long) (seconds * 1e9);
  }

  private static double secondsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
