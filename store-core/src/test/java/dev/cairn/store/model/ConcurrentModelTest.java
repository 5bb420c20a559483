package dev.cairn.store.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model test under concurrency. Four writer threads share one store, each owning the keys
 * under its own first byte (0x00, 0x7F, 0x80, 0xFF), so that each one's {@link ReferenceModel} is
 * exact for its keys whatever the others do: each runs random model steps (with its own snapshots
 * and cursors, flushes and compactions), and every third step commits one {@link PairInvariant}
 * batch. A fifth thread meanwhile opens scans and snapshots of the whole store and checks that each
 * shows one point in time: no pair half written, no pair newer than its writer's epoch key, epochs
 * and snapshot sequences never going back. At the end each writer's keys must equal its model, the
 * store's last sequence must equal the number of commits of all writers, and both must still hold
 * after a reopen.
 *
 * <p>Prints {@code ModelTest seed=<seed> config=<name> concurrent}; the seed fixes what each
 * writer draws (not the interleaving). Replay with {@code -Dcairn.seed=<seed>};
 * {@code -Dcairn.writerSteps=<n>} changes the number of steps of each writer.
 */
class ConcurrentModelTest {
  private static final int STEPS_PER_WRITER = 800;
  private static final long TIMEOUT_SECONDS = 120;
  private static final long READER_PAUSE_NANOS = 1_000_000;

  @TempDir Path dir;

  static List<ModelConfig> configurations() {
    List<ModelConfig> all = ModelConfig.matrix();
    return List.of(all.get(2), all.get(1)); // SYNC without change history; periodic with
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void fourWritersAndAScannerSeeConsistentPointsInTime(ModelConfig config) throws Exception {
    long seed = ModelConfig.seed();
    String label = "ModelTest seed=" + seed + " config=" + config + " concurrent";
    System.out.println(label);
    int steps = Integer.getInteger("cairn.writerSteps", STEPS_PER_WRITER);
    StoreOptions options = config.options();
    List<ReferenceModel> models = new ArrayList<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicBoolean failed = new AtomicBoolean();
    ExecutorService threads = Executors.newFixedThreadPool(PairInvariant.WRITERS + 1);
    try (Store store = Store.open(dir, options)) {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < PairInvariant.WRITERS; w++) {
        ReferenceModel model = new ReferenceModel();
        models.add(model);
        int writer = w;
        writers.add(threads.submit(() -> runWriter(label, store, model, writer, new Random(seed + writer), steps, failed)));
      }
      Future<?> reader = threads.submit(() -> {
        PairInvariant invariant = new PairInvariant(label + " reader", store);
        while (writing.get() && !failed.get()) {
          invariant.checkOneView();
          LockSupport.parkNanos(READER_PAUSE_NANOS); // leave the writers and maintenance some CPU
        }
        invariant.checkOneView();
        return null;
      });
      List<Throwable> failures = new ArrayList<>();
      for (Future<?> f : writers) {
        await(f, failures, failed);
      }
      writing.set(false);
      await(reader, failures, failed);
      if (!failures.isEmpty()) {
        AssertionError error = new AssertionError(label + ": " + failures.size() + " thread(s) failed", failures.get(0));
        failures.subList(1, failures.size()).forEach(error::addSuppressed);
        throw error;
      }
      verifyEveryWriter(label + " at the end", store, models);
    } finally {
      threads.shutdownNow();
    }
    try (Store reopened = Store.open(dir, options)) {
      verifyEveryWriter(label + " after reopen", reopened, models);
    }
  }

  private static Void runWriter(String label, Store store, ReferenceModel model, int writer, Random random,
      int steps, AtomicBoolean failed) {
    byte[] prefix = {PairInvariant.PREFIXES[writer]};
    OpGenerator generator = new OpGenerator(random, ModelBytes.concat(prefix, new byte[] {PairInvariant.RANDOM_KEYS}));
    try (ModelRunner runner = new ModelRunner(label + " writer=" + writer, store, model, false, null)) {
      for (int i = 0; i < steps && !failed.get(); i++) {
        Op op = i % 3 == 0 ? PairInvariant.pairBatch(writer, random, i / 3 + 1) : generator.next(model);
        runner.apply(i, op);
      }
    } catch (Throwable t) {
      failed.set(true);
      throw t;
    }
    return null;
  }

  private static void await(Future<?> f, List<Throwable> failures, AtomicBoolean failed) throws InterruptedException {
    try {
      f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      failed.set(true);
      failures.add(e.getCause());
    } catch (TimeoutException e) {
      failed.set(true);
      failures.add(new AssertionError("thread still running after " + TIMEOUT_SECONDS + " s (deadlock?)", e));
    }
  }

  /** Each writer's keys equal its model, and the last sequence counts every writer's commits. */
  private static void verifyEveryWriter(String what, Store store, List<ReferenceModel> models) {
    long commits = 0;
    for (int w = 0; w < models.size(); w++) {
      ReferenceModel model = models.get(w);
      commits += model.commits();
      ModelRunner runner = new ModelRunner(what + " writer=" + w, store, model, false, null);
      runner.verifyRange(ScanRange.prefix(new byte[] {PairInvariant.PREFIXES[w]}), what);
    }
    assertEquals(commits, store.lastSequence(), what + ": lastSequence() is not the number of commits of all writers");
  }
}
