package dev.cairn.benchmarks.compare;

import dev.cairn.benchmarks.Directories;
import dev.cairn.benchmarks.engines.Engines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs workloads 1 to 7 of issue 6 on each engine, every engine in JVMs of its own ({@link
 * EngineRun}: one for workloads 1, 3 to 6, a fresh one for open time and heap), then the
 * fsync-per-commit workloads in rounds over all the engines ({@link FsyncRounds}), and writes {@code
 * BENCHMARKS.md} ({@link Report}).
 *
 * <p>Run it from the repository root:
 *
 * <pre>
 * store-benchmarks/compare --profile quick                      # all eight engines, under 10 min
 * store-benchmarks/compare --profile full                       # larger sizes
 * store-benchmarks/compare --profile quick --engines cairn,lmdb # a subset
 * </pre>
 *
 * <p>Options: {@code --heap 4g} (each forked JVM's fixed heap but the fsync rounds' ({@link
 * #FSYNC_HEAP}); the profile's by default, see {@link Profile#heap()}), {@code --out FILE} (default {@code
 * ../BENCHMARKS.md} from {@code store-benchmarks/}, i.e. the repository root). Stores live under
 * {@code store-benchmarks/target/compare/} and are deleted as each workload ends; each JVM's output
 * goes to the console.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Benchmarks Cairn side by side with its peers and writes BENCHMARKS.md.")
public final class Compare implements Callable<Integer> {
  private static final long ENGINE_TIMEOUT_MINUTES = 60;
  /**
   * The fixed heap of the fsync phase's JVMs, whatever {@code --heap} says: their stores hold a few
   * thousand keys, and touching 2 GiB at start-up took 4.5 s a JVM against 1.3 s for 512 MiB, paid
   * {@link FsyncRounds#ROUNDS} times per engine.
   */
  static final String FSYNC_HEAP = "512m";

  @Option(names = "--profile", paramLabel = "quick|full|smoke", description = "sizes and time boxes (default: quick)")
  private String profileName = "quick";

  @Option(names = "--engines", split = ",", paramLabel = "ID",
      description = "engines to run, comma-separated (default: all of cairn, rocksdb, lmdb, mapdb, mvstore, xodus, chronicle, sqlite)")
  private List<String> engines = Engines.IDS;

  @Option(names = "--heap", description = "fixed heap of each forked engine JVM but the fsync rounds' (default: the profile's, 2g for quick)")
  private String heap;

  @Option(names = "--out", description = "the report (default: ../BENCHMARKS.md, the repository root)")
  private Path out = Path.of("..", "BENCHMARKS.md");

  private String[] args;

  public static void main(String[] args) {
    Compare compare = new Compare();
    compare.args = args;
    System.exit(new CommandLine(compare).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Profile profile = Profile.named(profileName);
    String heap = this.heap != null ? this.heap : profile.heap();
    for (String engine : engines) {
      Engines.create(engine);
    }
    String command = "store-benchmarks/compare " + String.join(" ", args);
    Path work = Path.of("target", "compare").toAbsolutePath();
    Directories.deleteTree(work);
    Files.createDirectories(work);

    long start = System.nanoTime();
    Map<String, Results> all = new LinkedHashMap<>();
    Map<String, String> failures = new LinkedHashMap<>();
    for (String engine : engines) {
      Results results = new Results();
      long engineStart = System.nanoTime();
      for (String phase : List.of("main", "open")) {
        Path resultFile = work.resolve(engine + "-" + phase + ".properties");
        int exit = fork(engine, phase, profile, heap, work.resolve(engine), resultFile);
        results.addAll(Results.read(resultFile));
        if (exit != 0) {
          failures.put(engine, "the " + phase + " JVM exited with " + exit + " (its output is in the console log)");
          break;
        }
      }
      results.put("engineSeconds", (System.nanoTime() - engineStart) / 1e9, "");
      Directories.deleteTree(work.resolve(engine));
      all.put(engine, results);
      System.err.printf(Locale.ROOT, "=== %s done in %.0f s (total %.0f s)%n", engine,
          (System.nanoTime() - engineStart) / 1e9, (System.nanoTime() - start) / 1e9);
    }
    Map<String, List<Results>> fsyncRounds = new LinkedHashMap<>();
    for (int round = 0; round < FsyncRounds.ROUNDS; round++) {
      for (String engine : FsyncRounds.order(engines, round)) {
        if (failures.containsKey(engine) || !Engines.create(engine).supportsFsync()) {
          continue;
        }
        long phaseStart = System.nanoTime();
        Path resultFile = work.resolve(engine + "-fsync-" + (round + 1) + ".properties");
        int exit = fork(engine, "fsync", profile, FSYNC_HEAP, work.resolve(engine), resultFile);
        fsyncRounds.computeIfAbsent(engine, e -> new ArrayList<>()).add(Results.read(resultFile));
        if (exit != 0) {
          failures.put(engine, "the fsync JVM of round " + (round + 1) + " exited with " + exit
              + " (its output is in the console log)");
        }
        Directories.deleteTree(work.resolve(engine));
        double seconds = (System.nanoTime() - phaseStart) / 1e9;
        Results results = all.get(engine);
        results.put("engineSeconds", results.value("engineSeconds") + seconds, "");
        System.err.printf(Locale.ROOT, "=== %s fsync round %d done in %.0f s (total %.0f s)%n", engine,
            round + 1, seconds, (System.nanoTime() - start) / 1e9);
      }
    }
    fsyncRounds.forEach((engine, rounds) -> FsyncRounds.merge(all.get(engine), rounds));
    double totalSeconds = (System.nanoTime() - start) / 1e9;
    String report = new Report(profile, heap, command, all, failures, totalSeconds, work).render();
    Files.writeString(out, report);
    System.err.printf(Locale.ROOT, "wrote %s (%.0f s in all)%n", out.toAbsolutePath().normalize(), totalSeconds);
    return 0;
  }

  private static int fork(String engine, String phase, Profile profile, String heap, Path dir,
      Path resultFile) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms" + heap);
    command.add("-Xmx" + heap);
    command.add("-XX:+UseG1GC");
    // Touches the whole heap at start-up. Otherwise the young generation first-touches fresh pages
    // as it moves through the heap, a minor page fault per 4 KiB, charged to whichever workload is
    // allocating then: Cairn's scans ran at about 1,100/s for 3 s, then 8,000-10,000/s, with 70,000
    // faults a second in the slow stretch and none after it.
    command.add("-XX:+AlwaysPreTouch");
    command.addAll(Engines.jvmFlags(engine));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), EngineRun.class.getName(),
        "--engine", engine, "--phase", phase, "--profile", profile.name(),
        "--dir", dir.toString(), "--out", resultFile.toString()));
    Process process = new ProcessBuilder(command).inheritIO().start();
    if (!process.waitFor(ENGINE_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }
}
