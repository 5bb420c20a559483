package dev.cairn.store.feed;

import dev.cairn.store.Change;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.WriteBatch;
import dev.cairn.store.crash.Lifeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The victim of {@link ChangeFeedKillTest}: a child JVM that commits to a store, in default
 * (periodic) durability, until it is killed, and reports each acknowledged commit on stdout.
 *
 * <p>Usage: {@code FeedKillWriter <dir> <round> <seed>}. Opens the store with {@link #OPTIONS},
 * prints {@code ready <lastSequence>}, then loops over random operations and prints, flushing
 * stdout each time, one line per commit once its call returned:
 * <ul>
 *   <li>{@code ack <seq> put <i> <id>}: {@code put(key(i), putValue(id))}
 *   <li>{@code ack <seq> batch <id> <i> <j> <k>}: one batch of {@code put(key(x), batchValue(id, x))}
 *       for x = i, j, k (distinct), through {@code write} or {@code writeAsync().join()}
 *   <li>{@code ack <seq> delete <i>}: {@code delete(key(i))} that removed a value; its sequence is
 *       {@code lastSequence()} after the call (this process is the only writer)
 * </ul>
 * A delete of an absent key commits nothing and prints nothing; neither does {@code compact()},
 * which runs once in {@value #COMPACT_ONE_IN} operations. {@link #changesOf} turns a line
 * back into the changes the feed must report for that sequence. The process exits when its stdin
 * closes, so it never outlives the test.
 */
public final class FeedKillWriter {
  /** Options of every open of the store, by the child and by the parent; history is never deleted. */
  static final StoreOptions OPTIONS = StoreOptions.builder()
      .walRotateBytes(128 * 1024)
      .changeRetention(1L << 30, null)
      .build();

  private static final int KEY_SPACE = 300;
  private static final int COMPACT_ONE_IN = 300;

  private FeedKillWriter() {}

  public static void main(String[] args) {
    Lifeline.exitWhenStdinCloses();
    try (Store store = Store.open(java.nio.file.Path.of(args[0]), OPTIONS)) {
      long round = Long.parseLong(args[1]);
      Random random = new Random(Long.parseLong(args[2]));
      say("ready " + store.lastSequence());
      for (long n = 0; ; n++) {
        long id = round * 1_000_000_000L + n;
        int dice = random.nextInt(100);
        if (random.nextInt(COMPACT_ONE_IN) == 0) {
          store.compact(); // rotates and flushes the WAL: the kill may land in a flush or a compaction
        } else if (dice < 50) {
          int i = random.nextInt(KEY_SPACE);
          say("ack " + store.put(key(i), putValue(id)) + " put " + i + " " + id);
        } else if (dice < 85) {
          int[] keys = random.ints(0, KEY_SPACE).distinct().limit(3).toArray();
          WriteBatch batch = WriteBatch.create();
          for (int x : keys) {
            batch.put(key(x), batchValue(id, x));
          }
          long sequence = dice < 75 ? store.write(batch) : store.writeAsync(batch).join();
          say("ack " + sequence + " batch " + id + " " + keys[0] + " " + keys[1] + " " + keys[2]);
        } else {
          int i = random.nextInt(KEY_SPACE);
          if (store.delete(key(i))) {
            say("ack " + store.lastSequence() + " delete " + i);
          }
        }
      }
    } catch (Throwable t) {
      t.printStackTrace();
      System.err.flush();
      Runtime.getRuntime().halt(1);
    }
  }

  static String key(int i) {
    return "k" + i;
  }

  static String putValue(long id) {
    return "p" + id + ":" + padding(id);
  }

  static String batchValue(long id, int i) {
    return "b" + id + "/" + i + ":" + padding(id + i);
  }

  /** 16 to 615 bytes derived from {@code x}, so that the WAL rotates every few hundred commits. */
  private static String padding(long x) {
    return String.valueOf((char) ('a' + Math.floorMod(x, 26L))).repeat(16 + (int) Math.floorMod(x * 7919, 600L));
  }

  /** The sequence of an {@code ack} line. */
  static long sequenceOf(String ackLine) {
    return Long.parseLong(ackLine.split(" ")[1]);
  }

  /** The changes the feed must report for the commit an {@code ack} line describes. */
  static List<Change> changesOf(String ackLine) {
    String[] f = ackLine.split(" ");
    long sequence = Long.parseLong(f[1]);
    List<Change> changes = new ArrayList<>();
    switch (f[2]) {
      case "put" -> changes.add(FeedTesting.put(sequence, key(Integer.parseInt(f[3])), putValue(Long.parseLong(f[4]))));
      case "batch" -> {
        long id = Long.parseLong(f[3]);
        for (int x = 4; x < 7; x++) {
          int i = Integer.parseInt(f[x]);
          changes.add(FeedTesting.put(sequence, key(i), batchValue(id, i)));
        }
      }
      case "delete" -> changes.add(FeedTesting.delete(sequence, key(Integer.parseInt(f[3]))));
      default -> throw new IllegalArgumentException("not an ack line: " + ackLine);
    }
    return changes;
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

}
