package dev.cairn.benchmarks.jmh;

import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Micro workloads of issue 6 on every engine, through the same {@code KvEngine} adapters as the
 * compare program: random point get (1 thread), a 90% get / 10% put mix (2 threads), and the
 * read-modify-write increment of one counter (1 thread), on a store of {@code keyCount} keys with
 * 100-byte values in the process-crash-safe mode. JMH forks a JVM per engine.
 *
 * <p>Run from the repository root: {@code store-benchmarks/jmh PointBenchmark} (all engines) or
 * {@code store-benchmarks/jmh PointBenchmark -p engine=cairn,lmdb}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms2g", "-Xmx2g",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true"})
public class PointBenchmark {
  private static final byte[] COUNTER = "counter:00000000".getBytes(StandardCharsets.US_ASCII);

  @Param({"cairn", "rocksdb", "lmdb", "mapdb", "mvstore", "xodus", "chronicle", "sqlite"})
  public String engine;

  @Param("100000")
  public int keyCount;

  private LoadedStore store;

  /** Each benchmark thread's own random source. */
  @State(Scope.Thread)
  public static class ThreadRandom {
    private static final java.util.concurrent.atomic.AtomicInteger THREADS = new java.util.concurrent.atomic.AtomicInteger();
    final SplittableRandom random = new SplittableRandom(7 + THREADS.incrementAndGet());
  }

  @Setup(Level.Trial)
  public void load() {
    store = new LoadedStore(engine, keyCount);
  }

  @TearDown(Level.Trial)
  public void close() {
    store.close();
  }

  @Benchmark
  public byte[] pointGet(ThreadRandom thread) {
    byte[] value = store.engine.get(store.key(thread.random.nextInt(store.keyCount())));
    if (value == null) {
      throw new IllegalStateException("a loaded key is missing");
    }
    return value;
  }

  @Benchmark
  @Threads(2)
  public byte[] mix90get10put(ThreadRandom thread) {
    byte[] key = store.key(thread.random.nextInt(store.keyCount()));
    if (thread.random.nextInt(10) == 0) {
      byte[] value = LoadedStore.value(thread.random);
      store.engine.put(key, value);
      return value;
    }
    byte[] value = store.engine.get(key);
    if (value == null) {
      throw new IllegalStateException("a loaded key is missing");
    }
    return value;
  }

  @Benchmark
  public long counterIncrement() {
    return store.engine.increment(COUNTER);
  }
}
