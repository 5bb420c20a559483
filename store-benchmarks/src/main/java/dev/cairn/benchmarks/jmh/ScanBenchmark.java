package dev.cairn.benchmarks.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Workload 4 of issue 6 as a micro benchmark: a scan of 1,000 consecutive entries from a random
 * start key, on every ordered engine (Chronicle Map, a hash map, has no scan and is not listed).
 * Same store and adapters as {@link PointBenchmark}.
 *
 * <p>Run from the repository root: {@code store-benchmarks/jmh ScanBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms2g", "-Xmx2g",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class ScanBenchmark {
  private static final int SCAN_ENTRIES = 1_000;

  @Param({"cairn", "rocksdb", "lmdb", "mapdb", "mvstore", "xodus", "sqlite"})
  public String engine;

  @Param("100000")
  public int keyCount;

  private LoadedStore store;
  private final SplittableRandom random = new SplittableRandom(11);

  @Setup(Level.Trial)
  public void load() {
    store = new LoadedStore(engine, keyCount);
  }

  @TearDown(Level.Trial)
  public void close() {
    store.close();
  }

  /** Start keys with a first byte in [0x10, 0x70): 1,000 entries follow in any byte order. */
  @Benchmark
  public int scan1000() {
    byte[] start = new byte[LoadedStore.KEY_BYTES];
    random.nextBytes(start);
    start[0] = (byte) (0x10 + random.nextInt(0x60));
    int count = store.engine.scan(start, SCAN_ENTRIES);
    if (count != SCAN_ENTRIES) {
      throw new IllegalStateException("a scan returned " + count + " entries");
    }
    return count;
  }
}
