package dev.cairn.benchmarks;

import dev.cairn.store.Compression;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.StoreStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The headline figures of store-core, measured in one run of a fresh JVM: write and read
 * throughput, compression on disk, heap per key and open time. A program rather than JMH because
 * each figure needs a store of N keys built once, not a microbenchmark loop.
 *
 * <p>Run it from the repository root (builds store-core, then forks a JVM with {@code -Xmx4g}):
 *
 * <pre>
 * store-benchmarks/run                   # N = 1,000,000 keys
 * store-benchmarks/run --keys 100000     # a quick run
 * </pre>
 *
 * which is {@code mvn -q -B -pl store-benchmarks -am compile exec:exec -Dexec.executable=java
 * -Dbench.args="--keys 100000"}; {@code -Dbench.heap=8g} changes the heap.
 *
 * <p>What it measures, for N keys of 16 random bytes (the table prints them as labelled):
 *
 * <ul>
 *   <li>(a) random-fill put throughput: N puts of 100 random bytes, one thread, default options
 *       (LZ4 in 16 KiB blocks, durability {@code periodic(100 ms)});
 *   <li>(b) random point-get throughput in that store after reopen, one thread: a warm-up pass of
 *       N gets, then a measured pass of N gets;
 *   <li>(c) bytes on disk for N JSON documents of 200 to 400 bytes ({@link JsonDocuments}) per
 *       codec, after {@code compact()} and close with no change history kept ({@code
 *       changeRetention(0, null)}), and raw bytes (keys + values) divided by those bytes;
 *   <li>(d) heap bytes per key: used heap after open and {@code System.gc()}, minus the used heap
 *       before open, divided by N (measured before (b), so the block cache is still empty);
 *   <li>(e) open time of the closed store of (a), median of 3 opens.
 * </ul>
 *
 * <p>Stores live under {@code target/} of the working directory and are deleted at the end.
 */
public final class CoreBenchmark {
  private static final int KEY_BYTES = 16;
  private static final int VALUE_BYTES = 100;
  private static final long SEED = 0xCA124L;

  private final int keyCount;
  private final Path root;
  private final byte[] keys;
  private final List<String[]> results = new ArrayList<>();

  private CoreBenchmark(int keyCount, Path root) {
    this.keyCount = keyCount;
    this.root = root;
    this.keys = new byte[keyCount * KEY_BYTES];
    new SplittableRandom(SEED).nextBytes(keys);
  }

  public static void main(String[] args) throws Exception {
    int keyCount = 1_000_000;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--keys") && i + 1 < args.length) {
        keyCount = Integer.parseInt(args[++i].replace("_", "").replace(",", ""));
      } else {
        System.err.println("usage: CoreBenchmark [--keys N]   (default 1000000)");
        System.exit(2);
      }
    }
    if (keyCount <= 0 || keyCount > Integer.MAX_VALUE / KEY_BYTES) {
      throw new IllegalArgumentException(
          "--keys must be in [1, " + Integer.MAX_VALUE / KEY_BYTES + "]: " + keyCount);
    }
    long pid = ProcessHandle.current().pid();
    Path root = Path.of("target", "core-benchmark-" + pid).toAbsolutePath();
    Files.createDirectories(root);
    try {
      new CoreBenchmark(keyCount, root).run();
    } finally {
      Directories.deleteTree(root);
    }
  }

  private void run() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    System.out.printf(Locale.ROOT, "Cairn CoreBenchmark: N = %,d keys of %d random bytes%n",
        keyCount, KEY_BYTES);
    System.out.printf(Locale.ROOT, "machine: nproc %d, %s %s (%s), %s %s, max heap %,d MiB%n",
        rt.availableProcessors(), System.getProperty("java.vm.name"), Runtime.version(),
        System.getProperty("java.vm.vendor"), System.getProperty("os.name"),
        System.getProperty("os.arch"), rt.maxMemory() >> 20);

    Path fillDir = root.resolve("random-fill");
    measureRandomFill(fillDir);
    measureOpenTime(fillDir);
    measureHeapAndGets(fillDir);
    Directories.deleteTree(fillDir);
    for (Compression compression : Compression.values()) {
      measureJson(compression);
    }

    // Measured in the order that keeps each figure clean; printed in the order (a) to (e).
    System.out.printf("%n%-60s %14s %s%n", "measurement", "result", "unit");
    System.out.println("-".repeat(82));
    results.sort(Comparator.comparing(row -> row[0]));
    for (String[] row : results) {
      System.out.println(row[1]);
    }
    System.out.println("-".repeat(82));
  }

  // ---- (a) random fill ------------------------------------------------------------------------

  private void measureRandomFill(Path dir) {
    progress("(a) filling %,d keys with 100-byte random values", keyCount);
    SplittableRandom valueRandom = new SplittableRandom(SEED + 1);
    Store store = Store.open(dir);
    long start = System.nanoTime();
    for (int i = 0; i < keyCount; i++) {
      byte[] value = new byte[VALUE_BYTES];
      valueRandom.nextBytes(value);
      store.put(key(i), value);
    }
    double fillSeconds = seconds(start);
    start = System.nanoTime();
    store.close();
    double closeSeconds = seconds(start);
    row("a1", "(a) random-fill put, 1 thread, 100 B values, defaults",
        keyCount / fillSeconds, "ops/s");
    row("a2", "    close after the fill", closeSeconds * 1000, "ms");
  }

  // ---- (e) open time --------------------------------------------------------------------------

  private void measureOpenTime(Path dir) {
    progress("(e) opening the closed store 3 times");
    double[] openMillis = new double[3];
    for (int i = 0; i < openMillis.length; i++) {
      long start = System.nanoTime();
      Store store = Store.open(dir);
      openMillis[i] = seconds(start) * 1000;
      store.close();
    }
    Arrays.sort(openMillis);
    row("e1", "(e) open of the closed N-key store, median of 3", openMillis[1], "ms");
  }

  // ---- (d) heap per key, then (b) random gets in the same open store ----------------------------

  private void measureHeapAndGets(Path dir) throws InterruptedException {
    progress("(d) measuring heap per key");
    long baseline = usedHeapAfterGc();
    try (Store store = Store.open(dir)) {
      long withStore = usedHeapAfterGc();
      double heapPerKey = (double) (withStore - baseline) / keyCount;
      row("d1", "(d) heap per key after open: (used - baseline) / N", heapPerKey, "bytes");

      progress("(b) random gets: warm-up pass, then measured pass");
      getPass(store, new SplittableRandom(SEED + 2));
      long start = System.nanoTime();
      getPass(store, new SplittableRandom(SEED + 3));
      row("b1", "(b) random point-get after reopen, 1 thread, warmed up",
          keyCount / seconds(start), "ops/s");
    }
  }

  // ---- (c) compression of JSON documents ------------------------------------------------------

  /** Fills a store with JSON documents using {@code compression}, closes it, reports its size. */
  private void measureJson(Compression compression) {
    progress("(c) filling %,d JSON documents with %s", keyCount, compression);
    Path dir = root.resolve("json-" + compression);
    JsonDocuments documents = new JsonDocuments(SEED + 4);
    // Footprint of the data itself: no change history kept, and everything packed into segments.
    StoreOptions options = StoreOptions.builder().compression(compression).changeRetention(0, null).build();
    long rawBytes = 0;
    StoreStats stats;
    double fillSeconds;
    try (Store store = Store.open(dir, options)) {
      long start = System.nanoTime();
      for (int i = 0; i < keyCount; i++) {
        byte[] document = documents.next();
        rawBytes += KEY_BYTES + document.length;
        store.put(key(i), document);
      }
      fillSeconds = seconds(start);
      store.compact();
      stats = store.stats();
    }
    long diskBytes = Directories.byteCount(dir);
    String order = "c" + compression.ordinal();
    if (compression.ordinal() == 0) {
      double averageDocumentBytes = (double) rawBytes / keyCount - KEY_BYTES;
      String label = String.format(Locale.ROOT,
          "(c) JSON documents (avg %.0f B): raw keys + values", averageDocumentBytes);
      row(order + "0", label, rawBytes, "bytes");
    }
    String codec = String.format(Locale.ROOT, "    %-4s ", compression);
    row(order + "1", codec + "on disk after compact() and close", diskBytes, "bytes");
    row(order + "2", codec + "raw / on disk", (double) rawBytes / diskBytes, "x");
    row(order + "3", codec + "put, 1 thread", keyCount / fillSeconds, "ops/s");
    row(order + "5", codec + "block compression ratio (StoreStats)", stats.compressionRatio(), "x");
    Directories.deleteTree(dir);
  }

  private void getPass(Store store, SplittableRandom random) {
    for (int i = 0; i < keyCount; i++) {
      if (store.get(key(random.nextInt(keyCount))) == null) {
        throw new IllegalStateException("a key written by the fill is missing");
      }
    }
  }

  private byte[] key(int index) {
    return Arrays.copyOfRange(keys, index * KEY_BYTES, (index + 1) * KEY_BYTES);
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Adds a result row; {@code order} sorts the table. */
  private void row(String order, String label, double value, String unit) {
    String number = value >= 100 || value == Math.rint(value)
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%,.2f", value);
    String line = String.format(Locale.ROOT, "%-60s %14s %s", label, number, unit);
    results.add(new String[] {order, line});
  }

  private static void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, "... " + format + "%n", args);
  }
}
