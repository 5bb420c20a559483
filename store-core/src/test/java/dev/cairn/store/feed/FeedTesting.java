package dev.cairn.store.feed;

import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeCursor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Helpers of the change-feed suites: building expected {@link Change}s, describing changes in
 * failure messages, and reading a cursor up to a sequence while checking the two rules every poll
 * must keep (a commit is never split between polls, sequences never go back).
 */
final class FeedTesting {
  private static final int MAX_DESCRIBED = 12;

  private FeedTesting() {}

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Change put(long sequence, String key, String value) {
    return new Change(sequence, Change.Kind.PUT, bytes(key), bytes(value));
  }

  static Change delete(long sequence, String key) {
    return new Change(sequence, Change.Kind.DELETE, bytes(key), null);
  }

  static Change existing(long sequence, String key, String value) {
    return new Change(sequence, Change.Kind.EXISTING, bytes(key), bytes(value));
  }

  /** {@code "<seq> <KIND> <key>[=<value>]"}, the value abbreviated. */
  static String describe(Change c) {
    String value = c.valueString();
    if (value != null && value.length() > 24) {
      value = value.substring(0, 24) + "...(" + value.length() + ")";
    }
    return c.sequence() + " " + c.kind() + " " + c.keyString() + (value == null ? "" : "=" + value);
  }

  /** The first and last few changes of {@code changes}, one per line. */
  static String describe(List<Change> changes) {
    StringBuilder s = new StringBuilder("[" + changes.size() + " changes]");
    for (int i = 0; i < changes.size(); i++) {
      if (i == MAX_DESCRIBED / 2 && changes.size() > MAX_DESCRIBED) {
        s.append("\n  ...");
        i = changes.size() - MAX_DESCRIBED / 2;
      }
      s.append("\n  ").append(describe(changes.get(i)));
    }
    return s.toString();
  }

  /**
   * Polls {@code cursor} until its position reaches {@code sequence}, failing after {@code limit}.
   * Fails if a poll starts inside a commit the previous poll ended in, or goes back in sequence.
   */
  static List<Change> readThrough(ChangeCursor cursor, long sequence, Duration limit) {
    List<Change> all = new ArrayList<>();
    long deadline = System.nanoTime() + limit.toNanos();
    while (cursor.position() < sequence) {
      if (System.nanoTime() > deadline) {
        fail("cursor stuck at position " + cursor.position() + ", expected to reach " + sequence + " within "
            + limit + "; read so far: " + describe(all));
      }
      List<Change> batch = cursor.poll(Duration.ofMillis(100));
      checkPoll(all, batch, cursor.position(), "");
      all.addAll(batch);
    }
    return all;
  }

  /**
   * Checks one poll's {@code batch} against what came before it: tail changes go up in sequence
   * and the first does not share the sequence of the last change before it (a split commit); the
   * cursor's {@code position} is not before the last change of the poll.
   */
  static void checkPoll(List<Change> before, List<Change> batch, long position, String where) {
    if (batch.isEmpty()) {
      return;
    }
    long previous = lastTailSequence(before);
    boolean firstTail = true;
    for (Change c : batch) {
      if (c.kind() == Change.Kind.EXISTING) {
        continue;
      }
      if (firstTail ? c.sequence() <= previous : c.sequence() < previous) {
        fail(where + "poll returned " + describe(c) + " after sequence " + previous
            + (c.sequence() == previous ? " (a commit split between two polls)" : " (sequence went back)")
            + "\nthis poll: " + describe(batch));
      }
      previous = c.sequence();
      firstTail = false;
    }
    long last = batch.get(batch.size() - 1).sequence();
    if (batch.get(batch.size() - 1).kind() != Change.Kind.EXISTING && position < last) {
      fail(where + "position() " + position + " is before the last change the poll returned: " + describe(batch));
    }
  }

  private static long lastTailSequence(List<Change> changes) {
    for (int i = changes.size() - 1; i >= 0; i--) {
      if (changes.get(i).kind() != Change.Kind.EXISTING) {
        return changes.get(i).sequence();
      }
    }
    return Long.MIN_VALUE;
  }
}
