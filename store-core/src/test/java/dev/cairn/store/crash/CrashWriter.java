package dev.cairn.store.crash;

import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The victim of {@link KillNineTest}: a child JVM that writes to a store in a loop until it is
 * killed, and reports every write on stdout so that the parent knows what was acknowledged.
 *
 * <p>Usage: {@code CrashWriter <dir> <round> <seed>}. After a warm-up on a scratch store next to
 * {@code dir}, it opens the store with {@link #OPTIONS} (default periodic durability, a small WAL so
 * that rotations, flushes, checkpoints and compactions happen while it runs), prints {@code ready
 * <lastSequence>}, then for each operation prints
 * {@code begin <op>} before calling the store and {@code ack <seq> <op>[ -> <result>]} once the call
 * returned, flushing stdout after each line. At most one operation is begun and not acknowledged
 * when the process dies; the parent treats it as "may or may not have happened".
 *
 * <p>Operations ({@code <op>}), each with an id unique across rounds ({@link #opId}):
 * <ul>
 *   <li>{@code put k<i> <id>}: {@code put("k<i>", putValue(i, id))}
 *   <li>{@code update k<i> <id>}: {@code update("k<i>", old -> updateValue(i, id))}
 *   <li>{@code delete k<i>}: {@code delete("k<i>")}, result {@code true} if a value was removed
 *   <li>{@code batch b<id>} / {@code abatch b<id>}: {@code write} / {@code writeAsync().join()} of
 *       a batch putting {@code b<id>-0}, {@code b<id>-1}, {@code b<id>-2} to {@code batchValue(id, m)}
 *   <li>{@code compact}
 * </ul>
 * {@code <seq>} is the sequence a write returned, or {@link Store#lastSequence()} after the call
 * for operations that return none. It exits when its stdin closes, so it never outlives the test.
 */
public final class CrashWriter {
  /** Options of every open of the crash-test store, by the child and by the verifying parent. */
  static final StoreOptions OPTIONS = StoreOptions.builder().walRotateBytes(256 * 1024).build();

  /** Keys {@code k0} to {@code k<KEY_SPACE - 1>}: small enough that puts, updates and deletes meet. */
  static final int KEY_SPACE = 2000;

  private static final long OPS_PER_ROUND = 10_000_000L;
  private static final int COMPACT_ONE_IN = 2000;

  private CrashWriter() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    int round = Integer.parseInt(args[1]);
    Random random = new Random(Long.parseLong(args[2]));
    Lifeline.exitWhenStdinCloses();
    try {
      warmUp(dir.resolveSibling(dir.getFileName() + ".warmup"), random);
      try (Store store = Store.open(dir, OPTIONS)) {
        report("ready " + store.lastSequence());
        for (long n = 0; n < OPS_PER_ROUND; n++) {
          step(store, random, opId(round, n), CrashWriter::report);
        }
      }
    } catch (Throwable t) {
      t.printStackTrace();
      System.err.flush();
      Runtime.getRuntime().halt(1);
    }
    Runtime.getRuntime().halt(0);
  }

  /**
   * Runs the workload on a scratch store first, so that the kill lands in a JIT-compiled write loop
   * rather than in class loading (the first write of a cold JVM takes a large part of the kill window).
   */
  private static void warmUp(Path scratch, Random random) throws IOException {
    if (Files.exists(scratch)) {
      try (Stream<Path> files = Files.walk(scratch)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    try (Store store = Store.open(scratch, OPTIONS)) {
      for (long n = 0; n < 2000; n++) {
        step(store, random, n, line -> { });
      }
      store.compact();
    }
  }

  /** Runs one random operation with id {@code id}, telling {@code say} before and after. */
  private static void step(Store store, Random random, long id, Consumer<String> say) {
    int i = random.nextInt(KEY_SPACE);
    int dice = random.nextInt(100);
    if (random.nextInt(COMPACT_ONE_IN) == 0) {
      say.accept("begin compact");
      store.compact();
      say.accept("ack " + store.lastSequence() + " compact");
    } else if (dice < 55) {
      String op = "put k" + i + " " + id;
      say.accept("begin " + op);
      long seq = store.put("k" + i, putValue(i, id));
      say.accept("ack " + seq + " " + op);
    } else if (dice < 65) {
      String op = "update k" + i + " " + id;
      say.accept("begin " + op);
      byte[] next = updateValue(i, id).getBytes(StandardCharsets.UTF_8);
      store.update(("k" + i).getBytes(StandardCharsets.UTF_8), old -> next);
      say.accept("ack " + store.lastSequence() + " " + op);
    } else if (dice < 77) {
      String op = "delete k" + i;
      say.accept("begin " + op);
      boolean removed = store.delete("k" + i);
      say.accept("ack " + store.lastSequence() + " " + op + " -> " + removed);
    } else {
      boolean async = dice >= 90;
      String op = (async ? "abatch b" : "batch b") + id;
      WriteBatch batch = WriteBatch.create();
      for (int m = 0; m < 3; m++) {
        batch.put(batchKey(id, m), batchValue(id, m));
      }
      say.accept("begin " + op);
      long seq = async ? store.writeAsync(batch).join() : store.write(batch);
      say.accept("ack " + seq + " " + op);
    }
  }

  /** An operation id unique across rounds. */
  static long opId(int round, long n) {
    return round * OPS_PER_ROUND + n;
  }

  static String putValue(int i, long id) {
    return "v" + i + "@" + id + ":" + padding(id);
  }

  static String updateValue(int i, long id) {
    return "u" + i + "@" + id + ":" + padding(id + 1);
  }

  static String batchKey(long id, int m) {
    return "b" + id + "-" + m;
  }

  static String batchValue(long id, int m) {
    return "b" + id + "-" + m + ":" + padding(id * 3 + m);
  }

  /** 16 to 615 bytes derived from {@code x}, so values vary in size and fill the WAL quickly. */
  private static String padding(long x) {
    int length = 16 + (int) Math.floorMod(x * 7919, 600L);
    return String.valueOf((char) ('a' + Math.floorMod(x, 26L))).repeat(length);
  }

  private static void report(String line) {
    System.out.println(line);
    System.out.flush();
  }

}
