package dev.cairn.store.feed;

import static dev.cairn.store.feed.FeedTesting.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.ReliabilitySummary;
import dev.cairn.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 test of the change feed: a {@link FeedKillWriter} child JVM commits puts, deletes and
 * batches in default durability, printing {@code ack <seq> ...} for each acknowledged commit, until
 * this test kills it ({@link Process#destroyForcibly()}) at a random time. Then this JVM reopens the
 * store and resumes its consumer with {@code after(position)}, a position its consumer saved on an
 * earlier round, before the kill: where that round's cursor ended or stood after a poll, or an
 * older sequence of that round. The resumed cursor must continue exactly: commit
 * sequences strictly +1 from the position with no gap or duplicate, commits read on an earlier round
 * unchanged, every acknowledged commit there with the changes the child made, and at most the one
 * commit in flight at the kill beyond the last acknowledged one.
 *
 * <p>Knobs: {@code -Dcairn.feed.kill.rounds=<n>} (default 5), {@code -Dcairn.seed=<seed>} to replay
 * the test's choices (kill times, consumer positions, the child's operations); the seed is printed.
 */
class ChangeFeedKillTest {
  private static final int ROUNDS = Integer.getInteger("cairn.feed.kill.rounds", 5);
  private static final long READY_TIMEOUT_MILLIS = 60_000;
  private static final Duration READ_LIMIT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @Test
  void aConsumerResumedAfterAKillNineContinuesExactlyAndSeesEveryAcknowledgedCommit() throws Exception {
    long seed = Long.getLong("cairn.seed", System.nanoTime());
    System.out.println("change-feed kill -9: seed " + seed + " (-Dcairn.seed=" + seed + " replays it), " + ROUNDS + " rounds");
    Random random = new Random(seed);
    Path dir = tmp.resolve("store");
    Map<Long, List<Change>> seen = new HashMap<>(); // every commit a consumer read, by sequence
    long consumerPosition = 0; // a cursor's position from an earlier round
    long recoveredLast = 0; // lastSequence() after the previous kill
    long acknowledged = 0;
    for (int round = 1; round <= ROUNDS; round++) {
      String where = "seed " + seed + ", round " + round + ": ";
      long killAfterMillis = 200 + random.nextInt(1000);
      List<String> acks = runAndKill(dir, round, random.nextLong(), recoveredLast, killAfterMillis, where);
      acknowledged += acks.size();
      long lastAcked = recoveredLast;
      for (String ack : acks) {
        long sequence = FeedKillWriter.sequenceOf(ack);
        assertTrue(sequence > lastAcked, where + "'" + ack + "' after sequence " + lastAcked);
        lastAcked = sequence;
      }

      long resumedAfter = consumerPosition;
      List<Long> positions = new ArrayList<>();
      long last;
      int commitsRead = 0;
      try (Store store = Store.open(dir, FeedKillWriter.OPTIONS)) {
        last = store.lastSequence();
        assertTrue(last >= lastAcked, where + "lastSequence() " + last + " is below the last acknowledged " + lastAcked);
        assertTrue(last <= lastAcked + 1, where + "lastSequence() " + last + " is past the last acknowledged "
            + lastAcked + " by more than the one commit in flight at the kill");
        Map<Long, List<Change>> read = new HashMap<>();
        try (ChangeCursor cursor = store.changes(ChangeQuery.after(consumerPosition))) {
          List<Change> all = new ArrayList<>();
          long deadline = System.nanoTime() + READ_LIMIT.toNanos();
          while (cursor.position() < last) {
            assertTrue(System.nanoTime() < deadline, where + "cursor stuck at " + cursor.position() + " of " + last);
            List<Change> poll;
            try {
              poll = cursor.poll(Duration.ofMillis(100));
            } catch (RuntimeException e) {
              throw new AssertionError(where + "after(" + consumerPosition + ") at " + cursor.position() + ": " + e, e);
            }
            FeedTesting.checkPoll(all, poll, cursor.position(), where);
            all.addAll(poll);
            positions.add(cursor.position());
          }
          long current = consumerPosition; // the sequence of the commit being read
          for (Change c : all) {
            if (c.sequence() == current + 1) {
              current++;
              commitsRead++;
            } else if (c.sequence() != current || current == consumerPosition) {
              fail(where + "after(" + consumerPosition + ") read " + describe(c) + " after commit " + current
                  + " (a gap or a duplicate)");
            }
            read.computeIfAbsent(c.sequence(), seq -> new ArrayList<>()).add(c);
          }
          assertEquals(last, current, where + "after(" + consumerPosition + ") did not read up to " + last);
        }
        for (Map.Entry<Long, List<Change>> e : read.entrySet()) {
          List<Change> before = seen.putIfAbsent(e.getKey(), e.getValue());
          if (before != null) {
            assertEquals(before, e.getValue(), where + "commit " + e.getKey() + " changed since an earlier round read it");
          }
        }
        for (String ack : acks) {
          long sequence = FeedKillWriter.sequenceOf(ack);
          assertEquals(FeedKillWriter.changesOf(ack), seen.get(sequence),
              where + "acknowledged '" + ack + "' is not what the feed reports for sequence " + sequence);
        }
      }
      consumerPosition = nextConsumerPosition(random, positions, recoveredLast, last);
      recoveredLast = last;
      System.out.println("change-feed kill -9: round " + round + ": killed " + killAfterMillis + " ms after ready, "
          + acks.size() + " acks, lastSequence " + last + "; resumed after(" + resumedAfter + ") read "
          + commitsRead + " commits; next resume after(" + consumerPosition + ")");
    }
    assertTrue(acknowledged > ROUNDS, "the writer acknowledged only " + acknowledged + " commits in " + ROUNDS + " rounds");
    try (Store store = Store.open(dir, FeedKillWriter.OPTIONS);
        ChangeCursor cursor = store.changes(ChangeQuery.after(0))) {
      long commits = FeedTesting.readThrough(cursor, store.lastSequence(), READ_LIMIT).stream()
          .mapToLong(Change::sequence).distinct().count();
      assertEquals(store.lastSequence(), commits, "after(0) at the end must read every commit of every round");
      assertTrue(store.stats().segments() > 0, "no WAL was ever flushed into a segment: only WAL replay was tested");
    }
    ReliabilitySummary.record("change-feed kill-9", ROUNDS + " kills, " + acknowledged
        + " acknowledged commits read back through resumed cursors, 0 lost or repeated (seed " + seed + ")");
  }

  /**
   * Where the consumer resumes next round: where its cursor ended, or where it stood after one of
   * its polls, or (a consumer that saved its position a while ago) any sequence of this round.
   */
  private static long nextConsumerPosition(Random random, List<Long> positions, long roundStart, long last) {
    return switch (random.nextInt(3)) {
      case 0 -> last;
      case 1 -> positions.isEmpty() ? last : positions.get(random.nextInt(positions.size()));
      default -> roundStart + (long) (random.nextDouble() * (last - roundStart + 1));
    };
  }

  /**
   * Starts the writer on {@code dir}, kills it {@code killAfterMillis} after it is ready, and returns
   * the {@code ack} lines it printed in full.
   */
  private List<String> runAndKill(Path dir, int round, long childSeed, long recoveredLast, long killAfterMillis,
      String where) throws IOException, InterruptedException {
    Path logs = Files.createDirectories(tmp.resolve("logs"));
    Path stdout = logs.resolve("writer-" + round + ".stdout");
    Path stderr = logs.resolve("writer-" + round + ".stderr");
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // JVM warnings to stderr: by default they go to stdout, which carries the writer's progress lines.
    Process process = new ProcessBuilder(java, "-Xmx256m", "-XX:-UsePerfData", "-Xlog:disable",
        "-Xlog:all=warning:stderr", "-cp", System.getProperty("java.class.path"),
        FeedKillWriter.class.getName(), dir.toString(), Integer.toString(round), Long.toString(childSeed))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();
    try {
      long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
      List<String> lines = completeLines(stdout);
      while (lines.isEmpty()) {
        if (!process.isAlive() || System.currentTimeMillis() > deadline) {
          fail(where + "the writer did not get ready (alive=" + process.isAlive() + ")" + quote(stderr));
        }
        Thread.sleep(5);
        lines = completeLines(stdout);
      }
      assertEquals("ready " + recoveredLast, lines.get(0),
          where + "the writer recovered another last sequence than this JVM saw" + quote(stderr));
      Thread.sleep(killAfterMillis);
      assertTrue(process.isAlive(), where + "the writer died before the kill" + quote(stderr));
      process.destroyForcibly();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), where + "the writer survived destroyForcibly");
    } finally {
      process.destroyForcibly();
      process.getOutputStream().close();
    }
    List<String> lines = completeLines(stdout);
    for (String line : lines.subList(1, lines.size())) {
      if (!line.startsWith("ack ")) {
        fail(where + "unexpected line from the writer: '" + line + "'" + quote(stderr));
      }
    }
    return lines.subList(1, lines.size());
  }

  /** The lines of {@code file} that end with a newline (a line cut by the kill is not acknowledged). */
  private static List<String> completeLines(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
  }

  private static String quote(Path stderr) {
    try {
      String text = Files.readString(stderr, StandardCharsets.UTF_8);
      return text.isBlank() ? "" : "\n--- writer stderr ---\n" + text;
    } catch (IOException e) {
      return "";
    }
  }
}
