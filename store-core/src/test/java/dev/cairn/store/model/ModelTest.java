package dev.cairn.store.model;

import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Randomized model test: long random sequences of puts, deletes, batches (sync and async, with
 * repeated keys), compare-and-sets, updates, gets, range scans, snapshots and cursors read long
 * after they opened, flushes, compactions and reopens, each checked against a {@link
 * ReferenceModel} (a {@code TreeMap} in unsigned byte order), including the exact sequence of every
 * commit and of every entry a scan returns. After the sequence the store is reopened once more and
 * compared in full. It runs over the {@link ModelConfig#matrix() configuration matrix}.
 *
 * <p>Each run prints {@code ModelTest seed=<seed> config=<name>}, and every failure message starts
 * with the seed, the configuration and the index of the failing step. To replay a failure:
 *
 * <pre>mvn -pl store-core test -Dtest=ModelTest -Dcairn.seed=&lt;seed&gt;</pre>
 *
 * <p>Add {@code -Dcairn.shrink=true} to have a failing run cut down to a short sequence of steps
 * that still fails, printed one per line; {@code -Dcairn.ops=<n>} changes the number of steps.
 */
class ModelTest {
  private static final int DEFAULT_STEPS = 3000;

  @TempDir Path tempDir;

  static List<ModelConfig> configurations() {
    return ModelConfig.matrix();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void randomOperationsMatchTheTreeMapModel(ModelConfig config) {
    long seed = ModelConfig.seed();
    String label = "ModelTest seed=" + seed + " config=" + config;
    System.out.println(label);
    int count = ModelConfig.operationCount(DEFAULT_STEPS);
    ReferenceModel model = new ReferenceModel();
    OpGenerator generator = new OpGenerator(new Random(seed), new byte[0]);
    List<Op> steps = new ArrayList<>();
    try (ModelRun run = new ModelRun(label, tempDir.resolve("store"), config.options(), model)) {
      for (int i = 0; i < count; i++) {
        Op op = generator.next(model);
        steps.add(op);
        run.runner.apply(i, op);
      }
      run.runner.verifyContents("at the end");
      run.runner.close();
      Op last = new Op.Reopen(false);
      steps.add(last);
      run.runner.apply(count, last);
    } catch (Throwable failure) {
      if (Boolean.getBoolean("cairn.shrink")) {
        ModelShrinker.shrink(label, steps, config.options(), tempDir);
      }
      throw failure;
    }
  }

  /** Replays {@code steps} on a new store in {@code dir}, then reopens it and compares it in full. */
  static void replay(String label, Path dir, StoreOptions options, List<Op> steps) {
    try (ModelRun run = new ModelRun(label, dir, options, new ReferenceModel())) {
      for (int i = 0; i < steps.size(); i++) {
        run.runner.apply(i, steps.get(i));
      }
      run.runner.close();
      run.runner.apply(steps.size(), new Op.Reopen(false));
    }
  }

  /** A store opened in a fresh directory and the runner that drives it; closing closes both. */
  private static final class ModelRun implements AutoCloseable {
    final ModelRunner runner;

    ModelRun(String label, Path dir, StoreOptions options, ReferenceModel model) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      runner = new ModelRunner(label, Store.open(dir, options), model, true, () -> Store.open(dir, options));
    }

    @Override
    public void close() {
      try {
        runner.close();
      } finally {
        runner.store().close();
      }
    }
  }
}
