package dev.cairn.store.feed;

import static dev.cairn.store.feed.FeedTesting.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import dev.cairn.store.StoreClosedException;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.WriteBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized model test of the change feed: writer threads commit puts, deletes and batches (each
 * on keys of its own, so it knows which are live) while {@code compact()} runs meanwhile and the
 * WAL rotates every 64 KiB; the test records the exact commit history, sequence by sequence, from
 * what each write returned. Several consumers read the feed as it grows, between close and reopen
 * of the store:
 * <ul>
 *   <li>{@code live}: after(0) from the start, resumed only across reopens;
 *   <li>{@code resumed}: after(0), its cursor often replaced by a NEW cursor after(position);
 *   <li>{@code prefix-a}: after(0) filtered to keys starting with "a", now and then resumed;
 *   <li>{@code from-now}: fromNow() opened at a random point;
 *   <li>{@code snapshot}: snapshotThenTail() opened at a random point.
 * </ul>
 * At the end each consumer must have read exactly the recorded history from where it started
 * (filtered by its range), every commit whole in one poll, and the snapshot consumer's rebuilt map
 * must equal the store's content.
 *
 * <p>The seed is printed; {@code -Dcairn.seed=<seed>} replays the operation choices (thread
 * interleavings differ). {@code -Dcairn.feed.rounds=<n>} (default 6) sets the number of rounds.
 */
class ChangeFeedModelTest {
  private static final int ROUNDS = Integer.getInteger("cairn.feed.rounds", 6);
  private static final int WRITERS = 2;
  private static final int OPS_PER_WRITER_PER_ROUND = 1200;
  private static final String[] PREFIXES = {"a", "b", "c"};
  private static final int KEYS_PER_PREFIX = 8;
  private static final Duration DRAIN_LIMIT = Duration.ofSeconds(60);
  private static final StoreOptions OPTIONS = StoreOptions.builder().walRotateBytes(64 * 1024).blockBytes(4096).build();

  @TempDir Path dir;

  /** One operation of a commit: a put, or a delete when {@code value} is null. */
  private record Op(String key, String value) {}

  /** The commit history: sequence → operations, from the sequences writes returned. */
  private final Map<Long, List<Op>> history = new ConcurrentHashMap<>();
  private final long seed = Long.getLong("cairn.seed", System.nanoTime());
  private final Random random = new Random(seed);
  private final List<Consumer> consumers = new ArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private Store store;
  private int round;

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
    for (Consumer c : consumers) {
      if (c.cursor != null) {
        c.cursor.close();
      }
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void everyConsumerReadsExactlyTheCommitHistoryAcrossRotationsCompactionsAndReopens() throws Exception {
    System.out.println("change-feed model: seed " + seed + " (-Dcairn.seed=" + seed + " replays it), " + ROUNDS + " rounds");
    store = Store.open(dir, OPTIONS);
    start(new Consumer("live", KeyRange.all(), 0, 0));
    start(new Consumer("resumed", KeyRange.all(), 0, 10));
    start(new Consumer("prefix-a", KeyRange.prefix("a"), 0, 40));
    Consumer fromNow = new Consumer("from-now", KeyRange.all(), -1, 0);
    Consumer snapshot = new Consumer("snapshot", KeyRange.all(), -1, 0);
    int fromNowRound = 1 + random.nextInt(ROUNDS);
    int snapshotRound = 1 + random.nextInt(ROUNDS);
    List<Writer> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      writers.add(new Writer("w" + w, new Random(random.nextLong())));
    }
    Writer mainWriter = new Writer("m", new Random(random.nextLong()));
    int reopens = 0;

    for (round = 1; round <= ROUNDS; round++) {
      if (store == null) {
        store = Store.open(dir, OPTIONS);
        reopens++;
        for (Consumer c : consumers) {
          c.reopen();
        }
      }
      AtomicBoolean writing = new AtomicBoolean(true);
      List<Future<?>> work = new ArrayList<>();
      for (Writer w : writers) {
        work.add(threads.submit(() -> {
          for (int i = 0; i < OPS_PER_WRITER_PER_ROUND; i++) {
            w.step();
          }
          return null;
        }));
      }
      Future<?> compactor = threads.submit(() -> {
        Random r = new Random(seed + round);
        while (writing.get()) {
          store.compact();
          Thread.sleep(20 + r.nextInt(60));
        }
        return null;
      });
      while (work.stream().anyMatch(f -> !f.isDone())) {
        if (round == fromNowRound && !consumers.contains(fromNow) && random.nextInt(200) == 0) {
          start(fromNow);
        }
        if (round == snapshotRound && !consumers.contains(snapshot) && random.nextInt(200) == 0) {
          start(snapshot);
        }
        consumers.get(random.nextInt(consumers.size())).step(Duration.ofMillis(random.nextInt(5)));
      }
      writing.set(false);
      for (Future<?> f : work) {
        awaitWork(f, "a writer");
      }
      awaitWork(compactor, "compact()");
      if (round == fromNowRound && !consumers.contains(fromNow)) {
        start(fromNow);
      }
      if (round == snapshotRound && !consumers.contains(snapshot)) {
        start(snapshot);
      }
      for (int i = 0; i < 30; i++) { // alone now: lastSequence() tells a delete's sequence
        mainWriter.stepAlone();
      }
      for (int i = random.nextInt(10); i > 0; i--) {
        consumers.get(random.nextInt(consumers.size())).step(Duration.ZERO);
      }
      if (round < ROUNDS && random.nextInt(3) > 0) {
        closeStore();
      }
    }
    if (store == null) {
      store = Store.open(dir, OPTIONS);
      for (Consumer c : consumers) {
        c.reopen();
      }
    }

    long last = store.lastSequence();
    for (long s = 1; s <= last; s++) {
      assertTrue(history.containsKey(s), where() + "no write returned sequence " + s + " of " + last);
    }
    assertEquals(last, history.size(), where() + "writes returned sequences past lastSequence() " + last);
    for (Consumer c : consumers) {
      c.drain(last);
      c.verify(last);
    }
    TreeMap<String, String> expected = replay(last);
    assertEquals(expected, content(store), where() + "the store's content is not the replayed history");
    assertEquals(expected, snapshot.rebuilt(), where() + "snapshot consumer's rebuilt map differs from the store");
    System.out.println("change-feed model: " + last + " commits, " + reopens + " reopens; " + summary());
  }

  private void awaitWork(Future<?> work, String what) throws Exception {
    try {
      work.get(1, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw new AssertionError(where() + what + " failed: " + e.getCause(), e.getCause());
    }
  }

  private void start(Consumer c) {
    c.open();
    consumers.add(c);
  }

  /** Closes the store between polls: every cursor then fails with StoreClosedException. */
  private void closeStore() {
    store.close();
    for (Consumer c : consumers) {
      assertThrows(StoreClosedException.class, () -> c.cursor.poll(Duration.ZERO),
          where() + c.name + ": poll after the store closed");
      c.lastPosition = c.cursor.position();
      c.cursor.close();
      c.cursor = null;
    }
    store = null;
  }

  private String where() {
    return "seed " + seed + ", round " + round + ": ";
  }

  private String summary() {
    StringBuilder s = new StringBuilder();
    for (Consumer c : consumers) {
      s.append(c.name).append(" read ").append(c.read.size()).append(" changes in ").append(c.polls)
          .append(" polls, ").append(c.cursorsOpened).append(" cursors; ");
    }
    return s.toString();
  }

  /** The store's state after commit {@code sequence}, replayed from the recorded history. */
  private TreeMap<String, String> replay(long sequence) {
    TreeMap<String, String> state = new TreeMap<>();
    for (long s = 1; s <= sequence; s++) {
      for (Op op : history.get(s)) {
        if (op.value == null) {
          state.remove(op.key);
        } else {
          state.put(op.key, op.value);
        }
      }
    }
    return state;
  }

  /** The changes a cursor after {@code from} over {@code range} must report up to {@code to}. */
  private List<Change> expectedChanges(long from, long to, KeyRange range) {
    List<Change> expected = new ArrayList<>();
    for (long s = from + 1; s <= to; s++) {
      for (Op op : history.get(s)) {
        if (range.contains(FeedTesting.bytes(op.key))) {
          expected.add(op.value == null ? FeedTesting.delete(s, op.key) : FeedTesting.put(s, op.key, op.value));
        }
      }
    }
    return expected;
  }

  private static TreeMap<String, String> content(Store store) {
    TreeMap<String, String> map = new TreeMap<>();
    try (Cursor cursor = store.scan(KeyRange.all())) {
      while (cursor.hasNext()) {
        Entry e = cursor.next();
        map.put(e.keyString(), e.valueString());
      }
    }
    return map;
  }

  private void record(long sequence, List<Op> ops) {
    List<Op> previous = history.putIfAbsent(sequence, ops);
    assertNull(previous, where() + "sequence " + sequence + " returned for two commits: " + previous + " and " + ops);
  }

  // ---------------------------------------------------------------- writers

  /** Writes on keys of its own ({@code <prefix><name>-<i>}), so it knows which are live. */
  private final class Writer {
    final String name;
    final Random random;
    final TreeMap<String, String> live = new TreeMap<>();
    long counter;

    Writer(String name, Random random) {
      this.name = name;
      this.random = random;
    }

    String key() {
      return PREFIXES[random.nextInt(PREFIXES.length)] + name + "-" + random.nextInt(KEYS_PER_PREFIX);
    }

    String value() {
      long n = counter++;
      return name + "." + n + ":" + "p".repeat(random.nextInt(400));
    }

    /** One put, batch or delete; the sequence comes from the write's return value. */
    void step() {
      int dice = random.nextInt(100);
      if (dice < 50 || (dice >= 85 && live.isEmpty())) {
        String key = key();
        String value = value();
        record(store.put(key, value), List.of(new Op(key, value)));
        live.put(key, value);
      } else if (dice < 85) {
        WriteBatch batch = WriteBatch.create();
        List<Op> ops = new ArrayList<>();
        TreeMap<String, String> after = new TreeMap<>(live);
        int size = 2 + random.nextInt(5);
        for (int i = 0; i < size; i++) {
          String key = key();
          if (ops.stream().anyMatch(op -> op.key.equals(key))) {
            continue; // distinct keys: the order of two changes to one key in a batch is not the subject
          }
          if (after.containsKey(key) && random.nextInt(3) == 0) {
            batch.delete(key);
            ops.add(new Op(key, null));
            after.remove(key);
          } else {
            String value = value();
            batch.put(key, value);
            ops.add(new Op(key, value));
            after.put(key, value);
          }
        }
        long sequence = dice < 75 ? store.write(batch) : store.writeAsync(batch).join();
        record(sequence, List.copyOf(ops));
        live.clear();
        live.putAll(after);
      } else {
        String key = new ArrayList<>(live.keySet()).get(random.nextInt(live.size()));
        record(store.write(WriteBatch.create().delete(key)), List.of(new Op(key, null)));
        live.remove(key);
      }
    }

    /** With no other writer running: also deletes through {@link Store#delete}, sequenced by lastSequence(). */
    void stepAlone() {
      int dice = random.nextInt(100);
      String key = key();
      long before = store.lastSequence();
      if (dice < 40) {
        boolean removed = store.delete(key);
        assertEquals(live.containsKey(key), removed, where() + "delete(" + key + ")");
        if (removed) {
          assertEquals(before + 1, store.lastSequence(), where() + "a delete must take the next sequence");
          record(before + 1, List.of(new Op(key, null)));
          live.remove(key);
        } else {
          assertEquals(before, store.lastSequence(), where() + "a delete of an absent key took a sequence");
        }
      } else {
        String value = value();
        long sequence = store.put(key, value);
        assertEquals(before + 1, sequence, where() + "put after lastSequence() " + before);
        record(sequence, List.of(new Op(key, value)));
        live.put(key, value);
      }
    }
  }

  // ---------------------------------------------------------------- consumers

  /** A consumer of the feed: its current cursor and everything it read so far. */
  private final class Consumer {
    final String name;
    final KeyRange range;
    /** The sequence it started after; -1 until a fromNow or snapshot consumer opens. */
    long start;
    /** One step in this many replaces the cursor by a new one after its position (0: never). */
    final int resumeOneIn;
    final List<Change> read = new ArrayList<>();
    ChangeCursor cursor;
    /** The position of the cursor closed with the store. */
    long lastPosition;
    int polls;
    int cursorsOpened;

    Consumer(String name, KeyRange range, long start, int resumeOneIn) {
      this.name = name;
      this.range = range;
      this.start = start;
      this.resumeOneIn = resumeOneIn;
    }

    boolean isSnapshot() {
      return name.equals("snapshot");
    }

    void open() {
      if (isSnapshot()) {
        cursor = store.changes(ChangeQuery.snapshotThenTail().range(range));
      } else if (start < 0) {
        cursor = store.changes(ChangeQuery.fromNow().range(range));
        start = cursor.position();
      } else {
        cursor = store.changes(ChangeQuery.after(start).range(range));
      }
      cursorsOpened++;
    }

    /** After a reopen of the store: a new cursor after the old one's position (a snapshot still in its snapshot phase starts over). */
    void reopen() {
      if (isSnapshot() && position() < 0) {
        read.clear();
        open();
      } else {
        resumeAfter(position());
      }
    }

    private long position() {
      return cursor == null ? lastPosition : cursor.position();
    }

    private void resumeAfter(long position) {
      if (cursor != null) {
        cursor.close();
      }
      cursor = store.changes(ChangeQuery.after(position).range(range));
      cursorsOpened++;
      assertEquals(position, cursor.position(), where() + name + ": a cursor after(" + position + ") has another position");
    }

    /** Maybe replaces the cursor, then polls once. */
    void step(Duration timeout) {
      if (resumeOneIn > 0 && random.nextInt(resumeOneIn) == 0 && cursor.position() >= 0) {
        resumeAfter(cursor.position());
      }
      List<Change> batch;
      try {
        batch = cursor.poll(timeout);
      } catch (RuntimeException e) {
        throw new AssertionError(where() + name + " at position " + cursor.position() + ": poll threw " + e, e);
      }
      polls++;
      long position = cursor.position();
      String where = where() + name + " at position " + position + ": ";
      FeedTesting.checkPoll(read, batch, position, where);
      if (!batch.isEmpty() && range.equals(KeyRange.all())) {
        Change lastChange = batch.get(batch.size() - 1);
        if (lastChange.kind() != Change.Kind.EXISTING) {
          assertEquals(lastChange.sequence(), position, where + "an unfiltered cursor's position must be the last commit it returned");
        }
      }
      long storeLast = store.lastSequence();
      assertTrue(position <= storeLast, where + "position past lastSequence() " + storeLast);
      read.addAll(batch);
    }

    void drain(long last) {
      long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
      while (cursor.position() < last) {
        if (System.nanoTime() > deadline) {
          fail(where() + name + ": stuck at position " + cursor.position() + " of " + last);
        }
        step(Duration.ofMillis(100));
      }
      assertEquals(last, cursor.position(), where() + name + ": position after draining");
    }

    void verify(long last) {
      List<Change> tail = read;
      long from = start;
      if (isSnapshot()) {
        int n = 0;
        while (n < read.size() && read.get(n).kind() == Change.Kind.EXISTING) {
          n++;
        }
        if (n > 0) {
          from = read.get(0).sequence();
        } else { // an empty snapshot: its sequence is just before the tail's first commit
          from = read.isEmpty() ? last : read.get(0).sequence() - 1;
        }
        List<Change> existing = new ArrayList<>();
        for (Map.Entry<String, String> e : replay(from).entrySet()) {
          existing.add(FeedTesting.existing(from, e.getKey(), e.getValue()));
        }
        compare(existing, read.subList(0, n), "snapshot phase at sequence " + from);
        tail = read.subList(n, read.size());
      }
      compare(expectedChanges(from, last, range), tail, "changes after " + from);
    }

    private void compare(List<Change> expected, List<Change> actual, String what) {
      int n = Math.min(expected.size(), actual.size());
      for (int i = 0; i < n; i++) {
        if (!expected.get(i).equals(actual.get(i))) {
          fail(where() + name + ": " + what + ": change #" + i + " is " + describe(actual.get(i)) + ", expected "
              + describe(expected.get(i)) + "\nread around it: "
              + describe(actual.subList(Math.max(0, i - 3), Math.min(actual.size(), i + 4)))
              + "\nexpected around it: " + describe(expected.subList(Math.max(0, i - 3), Math.min(expected.size(), i + 4))));
        }
      }
      assertEquals(expected.size(), actual.size(), where() + name + ": " + what + ": read " + actual.size()
          + " changes, expected " + expected.size() + "\nread: " + describe(actual) + "\nexpected: " + describe(expected));
    }

    /** For the snapshot consumer: the map its EXISTING changes and tail rebuild. */
    TreeMap<String, String> rebuilt() {
      TreeMap<String, String> map = new TreeMap<>();
      for (Change c : read) {
        if (c.kind() == Change.Kind.DELETE) {
          map.remove(c.keyString());
        } else {
          map.put(c.keyString(), c.valueString());
        }
      }
      return map;
    }
  }
}
