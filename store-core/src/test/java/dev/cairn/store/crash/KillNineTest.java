package dev.cairn.store.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.ReliabilitySummary;
import dev.cairn.store.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 crash test: a {@link CrashWriter} child JVM writes to a store until this test kills it
 * with SIGKILL ({@link Process#destroyForcibly()}) 50 to 400 ms after the child reports the store
 * open; then this JVM opens the store and checks it against a model built, in order, from the
 * writes the child acknowledged. Repeated on one directory, so that every round also recovers from
 * the previous crash, and kills land in WAL appends, rotations, segment flushes, checkpoints and
 * compactions alike.
 *
 * <p>What must hold after each kill (default periodic durability, which promises that a process
 * crash loses nothing acknowledged): every acknowledged put, update, delete and batch is there,
 * with its value; deleted keys stay deleted; a batch is all or nothing; the one operation that was
 * in flight at the kill either fully happened or did not, and {@code lastSequence()} agrees with
 * which; nothing else is in the store.
 *
 * <p>The kills run in {@code cairn.crash.lanes} (default 2) lanes at once, each a child writing to its
 * own store directory and checked against its own model, so that the CI tier's 200 kills take a few
 * minutes on two cores. Knobs (system properties): {@code cairn.crash.rounds} (default 200 kills in
 * all) for a soak (see {@code store-core/soak}), {@code cairn.crash.lanes}, and {@code
 * cairn.crash.seed} to replay a failing run; the seed is printed. A replay is exact only for the
 * choices this JVM makes (kill delays, child seeds); where a kill lands is up to the scheduler.
 */
class KillNineTest {
  private static final int ROUNDS = Integer.getInteger("cairn.crash.rounds", 200);
  private static final int LANES = Integer.getInteger("cairn.crash.lanes", 2);
  private static final long STARTUP_TIMEOUT_MILLIS = 60_000;
  private static final int MAX_PROBLEMS_SHOWN = 20;

  @TempDir Path tmp;

  @Test
  void everyAcknowledgedWriteSurvivesRepeatedKillNine_andBatchesAreAllOrNothing() throws Exception {
    long seed = Long.getLong("cairn.crash.seed", System.nanoTime());
    System.out.println("kill -9: seed " + seed + " (-Dcairn.crash.seed=" + seed + " replays it), " + ROUNDS
        + " rounds in " + LANES + " lanes");
    Random seeds = new Random(seed);
    ExecutorService pool = Executors.newFixedThreadPool(LANES);
    List<Future<Lane>> lanes = new ArrayList<>();
    try {
      for (int i = 0; i < LANES; i++) {
        int rounds = ROUNDS / LANES + (i < ROUNDS % LANES ? 1 : 0);
        Lane lane = new Lane("lane " + i, tmp.resolve("store-" + i), tmp.resolve("logs"), seeds.nextLong(), rounds);
        lanes.add(pool.submit(lane::run));
      }
      int kills = 0;
      long acknowledged = 0;
      for (Future<Lane> future : lanes) {
        Lane lane;
        try {
          lane = future.get();
        } catch (ExecutionException e) {
          pool.shutdownNow(); // stops the other lanes at their next sleep or wait
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw new AssertionError("seed " + seed + ": " + e.getCause(), e.getCause());
        }
        kills += lane.kills;
        acknowledged += lane.acknowledgedWrites;
      }
      assertEquals(ROUNDS, kills, "kills");
      ReliabilitySummary.record("kill-9", kills + " kills, " + acknowledged
          + " acknowledged writes checked, 0 lost (seed " + seed + ")");
    } finally {
      pool.shutdownNow();
    }
  }

  /** One child after another killed on one store directory, checked against this lane's model. */
  private static final class Lane {
    private final String name;
    private final Path dir;
    private final Path logs;
    private final long seed;
    private final int rounds;

    /** What the store must hold: the value of each live key, from the acknowledged writes in order. */
    private final TreeMap<String, String> expected = new TreeMap<>();
    /** The store's last sequence as verified after the previous kill. */
    private long verifiedSequence;
    private long acknowledgedWrites;
    private int kills;

    Lane(String name, Path dir, Path logs, long seed, int rounds) {
      this.name = name;
      this.dir = dir;
      this.logs = logs;
      this.seed = seed;
      this.rounds = rounds;
    }

    Lane run() throws Exception {
      Random random = new Random(seed);
      for (int round = 1; round <= rounds; round++) {
        String roundName = name + " round " + round;
        String where = roundName + " (lane seed " + seed + ") in " + dir;
        RoundLog log;
        long delayMillis = 50 + random.nextInt(351);
        try (ChildJvm child = ChildJvm.start(logs, "crash-writer-" + dir.getFileName() + "-" + round, CrashWriter.class,
            dir.toString(), Integer.toString(round), Long.toString(random.nextLong()))) {
          String ready = child.expectLine(STARTUP_TIMEOUT_MILLIS);
          assertEquals("ready " + verifiedSequence, ready,
              where + ": the child recovered another last sequence than this JVM verified" + child.stderrForMessage());
          Thread.sleep(delayMillis);
          assertTrue(child.process().isAlive(), where + ": the writer died before it was killed" + child.stderrForMessage());
          child.killNine();
          kills++;
          if (System.getProperty("os.name", "").startsWith("Linux")) {
            assertEquals(ChildJvm.SIGKILL_EXIT, child.process().exitValue(), where + ": the writer was not killed by SIGKILL");
          }
          log = RoundLog.parse(where, child.awaitExitAndDrain(30_000));
        }
        verifyAfterKill(dir, log, where);
        System.out.println("kill -9: " + roundName + ": killed " + delayMillis
            + " ms after ready, " + log.acked.size() + " acks, in flight: "
            + (log.inFlight == null ? "nothing" : log.inFlight.text) + ", lastSequence " + verifiedSequence);
      }
      try (Store store = Store.open(dir, CrashWriter.OPTIONS)) {
        // A handful of short rounds may end before the first flush; a lane of ten or more must not.
        assertTrue(rounds < 10 || store.stats().segments() > 0,
            name + ": the run never flushed a WAL generation into a segment: it tested only WAL replay");
      }
      assertTrue(acknowledgedWrites > rounds, name + ": the writer acknowledged only " + acknowledgedWrites
          + " writes in " + rounds + " rounds");
      return this;
    }

    // ---------------------------------------------------------------- verification

    private void verifyAfterKill(Path dir, RoundLog log, String where) {
      long ackedSequence = verifiedSequence;
      for (Acked a : log.acked) {
        ackedSequence = checkSequence(a, ackedSequence, where);
        applyAcknowledged(a, where);
      }
      try (Store store = Store.open(dir, CrashWriter.OPTIONS)) {
        long last = store.lastSequence();
        boolean inFlightCommitted = false;
        if (log.inFlight != null && inFlightHappened(store, log.inFlight, where)) {
          inFlightCommitted = writes(log.inFlight);
          apply(log.inFlight);
        }
        checkContents(store, where + " (last acknowledged sequence " + ackedSequence + ", lastSequence() " + last + ")");
        assertTrue(last >= ackedSequence,
            where + ": lastSequence() " + last + " is below the last acknowledged sequence " + ackedSequence);
        assertEquals(inFlightCommitted, last > ackedSequence,
            where + ": lastSequence() " + last + " (last acknowledged " + ackedSequence + ") disagrees with whether '"
                + (log.inFlight == null ? "nothing" : log.inFlight.text) + "', in flight at the kill, is in the store");
        verifiedSequence = last;
      }
    }

    /** Checks the sequence an ack reported against the previous one; returns it. */
    private long checkSequence(Acked a, long previous, String where) {
      boolean wrote = a.op.kind.equals("delete") ? a.result.equals("true") : writes(a.op);
      if (wrote ? a.sequence <= previous : a.sequence != previous) {
        fail(where + ": '" + a.op.text + "' was acknowledged with sequence " + a.sequence + " after " + previous
            + (wrote ? " (a commit must get a higher one)" : " (it committed nothing)"));
      }
      return a.sequence;
    }

    private void applyAcknowledged(Acked a, String where) {
      if (a.op.kind.equals("delete")) {
        boolean live = expected.containsKey(a.op.key());
        assertEquals(Boolean.toString(live), a.result,
            where + ": delete(" + a.op.key() + ") reported whether it removed a value wrongly");
      }
      if (!a.op.kind.equals("compact")) {
        acknowledgedWrites++;
      }
      apply(a.op);
    }

    /** Whether {@code op} commits something when applied to the model as it is now. */
    private boolean writes(Op op) {
      return switch (op.kind) {
        case "put", "update", "batch", "abatch" -> true;
        case "delete" -> expected.containsKey(op.key());
        default -> false;
      };
    }

    private void apply(Op op) {
      switch (op.kind) {
        case "put" -> expected.put(op.key(), CrashWriter.putValue(op.index, op.id));
        case "update" -> expected.put(op.key(), CrashWriter.updateValue(op.index, op.id));
        case "delete" -> expected.remove(op.key());
        case "batch", "abatch" -> {
          for (int m = 0; m < 3; m++) {
            expected.put(CrashWriter.batchKey(op.id, m), CrashWriter.batchValue(op.id, m));
          }
        }
        case "compact" -> { }
        default -> throw new AssertionError("unknown operation " + op.text);
      }
    }

    /** Whether the operation in flight at the kill is in the store; fails if it is there in part. */
    private boolean inFlightHappened(Store store, Op op, String where) {
      switch (op.kind) {
        case "put", "update" -> {
          String value = op.kind.equals("put") ? CrashWriter.putValue(op.index, op.id) : CrashWriter.updateValue(op.index, op.id);
          return value.equals(store.get(op.key()));
        }
        case "delete" -> {
          return expected.containsKey(op.key()) && store.get(op.key()) == null;
        }
        case "batch", "abatch" -> {
          int present = 0;
          for (int m = 0; m < 3; m++) {
            if (store.get(CrashWriter.batchKey(op.id, m)) != null) {
              present++;
            }
          }
          if (present != 0 && present != 3) {
            fail(where + ": the in-flight batch b" + op.id + " is in the store in part: " + present + " of 3 keys");
          }
          return present == 3;
        }
        default -> {
          return false;
        }
      }
    }

    /** Compares the store with the model, by point reads and by a full scan. */
    private void checkContents(Store store, String where) {
      List<String> problems = new ArrayList<>();
      int lost = 0;
      for (Map.Entry<String, String> e : expected.entrySet()) {
        String actual = store.get(e.getKey());
        if (actual == null) {
          lost++;
          problems.add("LOST " + e.getKey() + " (expected " + abbreviate(e.getValue()) + ")");
        } else if (!actual.equals(e.getValue())) {
          problems.add("WRONG VALUE " + e.getKey() + ": " + abbreviate(actual) + ", expected " + abbreviate(e.getValue()));
        }
      }
      for (int i = 0; i < CrashWriter.KEY_SPACE; i++) {
        String key = "k" + i;
        String actual = store.get(key);
        if (!expected.containsKey(key) && actual != null) {
          problems.add("DELETED KEY IS BACK " + key + " = " + abbreviate(actual));
        }
      }
      TreeMap<String, String> scanned = new TreeMap<>();
      TreeMap<String, Integer> batchKeys = new TreeMap<>();
      try (Cursor cursor = store.scan(KeyRange.all())) {
        while (cursor.hasNext()) {
          Entry entry = cursor.next();
          String key = entry.keyString();
          scanned.put(key, entry.valueString());
          if (key.startsWith("b")) {
            batchKeys.merge(key.substring(0, key.indexOf('-')), 1, Integer::sum);
          }
        }
      }
      batchKeys.forEach((batch, count) -> {
        if (count != 3) {
          problems.add("PARTIAL BATCH " + batch + ": " + count + " of 3 keys");
        }
      });
      for (Map.Entry<String, String> e : scanned.entrySet()) {
        if (!expected.containsKey(e.getKey())) {
          problems.add("UNEXPECTED KEY " + e.getKey() + " = " + abbreviate(e.getValue()));
        } else if (!e.getValue().equals(expected.get(e.getKey()))) {
          problems.add("SCAN SEES WRONG VALUE " + e.getKey() + ": " + abbreviate(e.getValue()));
        }
      }
      if (scanned.size() != expected.size()) {
        problems.add("scan saw " + scanned.size() + " keys, expected " + expected.size());
      }
      if (!problems.isEmpty()) {
        fail(where + ": " + problems.size() + " problems after recovery (" + lost + " acknowledged keys lost):\n  "
            + String.join("\n  ", problems.subList(0, Math.min(MAX_PROBLEMS_SHOWN, problems.size()))));
      }
    }

    private static String abbreviate(String value) {
      return value.length() <= 40 ? value : value.substring(0, 40) + "...(" + value.length() + " chars)";
    }
  }

  // ---------------------------------------------------------------- the child's report

  /** One operation as {@link CrashWriter} describes it. */
  private record Op(String text, String kind, int index, long id) {
    static Op parse(String text) {
      String[] f = text.split(" ");
      return switch (f[0]) {
        case "put", "update" -> new Op(text, f[0], Integer.parseInt(f[1].substring(1)), Long.parseLong(f[2]));
        case "delete" -> new Op(text, f[0], Integer.parseInt(f[1].substring(1)), -1);
        case "batch", "abatch" -> new Op(text, f[0], -1, Long.parseLong(f[1].substring(1)));
        case "compact" -> new Op(text, f[0], -1, -1);
        default -> throw new AssertionError("unknown operation '" + text + "'");
      };
    }

    String key() {
      return "k" + index;
    }
  }

  /** An acknowledged operation: {@code ack <sequence> <op>[ -> <result>]}. */
  private record Acked(long sequence, Op op, String result) {}

  /** A round's stdout: the acknowledged operations in order, and the one begun but not acknowledged. */
  private static final class RoundLog {
    final List<Acked> acked = new ArrayList<>();
    Op inFlight;

    static RoundLog parse(String where, List<String> lines) {
      RoundLog log = new RoundLog();
      for (String line : lines) {
        if (line.startsWith("begin ")) {
          if (log.inFlight != null) {
            fail(where + ": '" + line + "' began before '" + log.inFlight.text + "' was acknowledged");
          }
          log.inFlight = Op.parse(line.substring("begin ".length()));
        } else if (line.startsWith("ack ")) {
          String rest = line.substring("ack ".length());
          int space = rest.indexOf(' ');
          long sequence = Long.parseLong(rest.substring(0, space));
          String text = rest.substring(space + 1);
          String result = "";
          int arrow = text.indexOf(" -> ");
          if (arrow >= 0) {
            result = text.substring(arrow + 4);
            text = text.substring(0, arrow);
          }
          if (log.inFlight == null || !log.inFlight.text.equals(text)) {
            fail(where + ": '" + line + "' acknowledges an operation that was not begun");
          }
          log.acked.add(new Acked(sequence, log.inFlight, result));
          log.inFlight = null;
        } else {
          fail(where + ": unexpected line from the writer: '" + line + "'");
        }
      }
      return log;
    }
  }
}
