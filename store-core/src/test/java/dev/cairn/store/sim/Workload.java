package dev.cairn.store.sim;

import dev.cairn.store.Durability;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.testing.Op;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * A deterministic, single-threaded sequence of commits (and maintenance calls) run against a store
 * opened on a {@link MemoryVfs}, recording each commit in a {@link CommitLog}. The same workload
 * makes the same calls on every run; only the engine's background threads vary in timing. Writes
 * use {@link Durability#SYNC}, so every acknowledged commit is durable, except in {@link
 * #barriers}, where only {@code flush()} makes them durable.
 */
record Workload(String name, StoreOptions options, Body body) {
  /** The calls of a workload. */
  interface Body {
    void run(Store store, CommitLog log);
  }

  /** Options for small stores: SYNC writes, no change history kept beyond what recovery needs. */
  static StoreOptions.Builder syncOptions() {
    return StoreOptions.builder().durability(Durability.SYNC).changeRetention(0, Duration.ofDays(1));
  }

  /** Distinct keys with short values. */
  static Workload puts(int count) {
    return new Workload("puts", syncOptions().build(), (store, log) -> {
      for (int i = 0; i < count; i++) {
        log.put(store, key("k", i), value(i, 24));
      }
    });
  }

  /** A few keys written again and again. */
  static Workload overwrites(int count) {
    return new Workload("overwrites", syncOptions().build(), (store, log) -> {
      for (int i = 0; i < count; i++) {
        log.put(store, key("k", i % 7), value(i, 16 + i % 40));
      }
    });
  }

  /** Batches of puts and deletes that must apply all or nothing. */
  static Workload batches(int count) {
    return new Workload("batches", syncOptions().build(), (store, log) -> {
      for (int i = 0; i < count; i++) {
        List<Op> ops = new ArrayList<>();
        for (int j = 0; j < 5; j++) {
          ops.add(new Op(key("b", (i * 3 + j) % 17), value(i * 5 + j, 20)));
        }
        if (i > 0) {
          ops.add(new Op(key("b", (i * 3 + 16) % 17), null));
        }
        log.write(store, ops);
      }
    });
  }

  /** Puts, each key deleted again a little later. */
  static Workload deletes(int count) {
    return new Workload("deletes", syncOptions().build(), (store, log) -> {
      for (int i = 0; i < count; i++) {
        log.put(store, key("d", i), value(i, 30));
        if (i >= 2 && i % 2 == 0) {
          log.delete(store, key("d", i - 2));
        }
      }
    });
  }

  /**
   * Enough values to rotate the WAL (64 KiB) several times, so flushes, checkpoints, WAL deletion
   * and background compaction (overwrites make garbage; small segments merge) run, then an explicit
   * {@code compact()}, a few more writes and another {@code compact()}. With 200 or more values
   * (about 300 KB), a flush usually writes a checkpoint before the first {@code compact()} does
   * (one is written once the WAL files since the last one hold four WAL files' worth); whether it
   * does depends on when the flushes run, so the second {@code compact()} makes sure a checkpoint
   * replaces an older one.
   */
  static Workload segmented(int count) {
    StoreOptions options = syncOptions().walRotateBytes(64 * 1024).segmentBytes(1024 * 1024)
        .blockBytes(4 * 1024).compactionGarbageRatio(0.3).build();
    return new Workload("segmented", options, (store, log) -> {
      for (int i = 0; i < count; i++) {
        log.put(store, key("s", i % 40), value(i, 1500));
        if (i % 25 == 24) {
          log.delete(store, key("s", (i - 3) % 40)); // written 3 commits ago, not deleted since
        }
      }
      store.compact();
      for (int i = 0; i < 5; i++) {
        log.put(store, key("t", i), value(count + i, 100));
      }
      store.compact(); // flushes the writes above: a second checkpoint, whatever the flushes' timing
    });
  }

  /**
   * Group commit: rounds of eight {@code writeAsync} batches submitted together from one thread, so
   * that the writer thread packs several into one WAL write and one fsync; a crash may keep any
   * prefix of a round, and every batch whose future completed must survive.
   */
  static Workload groupCommit(int rounds) {
    return new Workload("group-commit", syncOptions().build(), (store, log) -> {
      for (int r = 0; r < rounds; r++) {
        List<CompletableFuture<Long>> round = new ArrayList<>();
        for (int j = 0; j < 8; j++) {
          int i = r * 8 + j;
          round.add(log.writeAsync(store, List.of(new Op(key("g", i % 13), value(i, 40)),
              new Op(key("h", i % 5), value(i + 5000, 12)))));
        }
        log.awaitInOrder(round);
      }
    });
  }

  /** Small writes, each followed by {@code compact()}: a flush and a new checkpoint every few commits. */
  static Workload checkpoints(int rounds) {
    return new Workload("checkpoints", syncOptions().build(), (store, log) -> {
      for (int r = 0; r < rounds; r++) {
        log.put(store, key("c", r), value(r, 40));
        log.put(store, key("c", r + 100), value(r + 100, 40));
        if (r > 0) {
          log.delete(store, key("c", r - 1));
        }
        store.compact();
      }
    });
  }

  /**
   * Writes under a periodic durability whose interval never comes, made durable only by an explicit
   * {@code flush()} every third commit: between barriers several commits sit unsynced in the WAL,
   * so a crash may keep any prefix of them, and only the ones before the last barrier must survive.
   * The last commit is made durable by {@code close()} alone.
   */
  static Workload barriers(int count) {
    StoreOptions options = syncOptions().durability(Durability.periodic(Duration.ofHours(1))).build();
    return new Workload("barriers", options, (store, log) -> {
      for (int i = 0; i < count; i++) {
        if (i % 4 == 3) {
          log.write(store, List.of(new Op(key("p", i % 9), value(i, 50)),
              new Op(key("q", i % 5), value(i + 1000, 10))));
        } else {
          log.put(store, key("p", i % 9), value(i, 20 + i % 30));
        }
        if (i % 3 == 2) {
          store.flush();
          log.flushed();
        }
      }
      log.put(store, key("p", 0), value(count, 20)); // left for close() to make durable
    });
  }

  /**
   * Barriers across WAL rotations: periodic durability whose interval never comes, 64 KiB WALs
   * filled by 1.5 KB values, and a {@code flush()} every tenth commit. Rotation does not fsync the
   * old WAL, so a crash may cut a WAL that a newer one follows; recovery must keep every commit
   * before the last barrier and a prefix of the rest, whether or not a flush's fsync pass marked
   * the older WALs durable. Halfway, a {@code compact()} rewrites the segments while unsynced
   * overwrites of their keys wait in the WAL.
   */
  static Workload rotatingBarriers(int count) {
    StoreOptions options = syncOptions().durability(Durability.periodic(Duration.ofHours(1)))
        .walRotateBytes(64 * 1024).segmentBytes(1024 * 1024).blockBytes(4 * 1024).build();
    return new Workload("rotating-barriers", options, (store, log) -> {
      for (int i = 0; i < count; i++) {
        log.put(store, key("r", i % 50), value(i, 1500));
        if (i % 10 == 9) {
          store.flush();
          log.flushed();
        }
        if (i == count / 2) {
          store.compact();
        }
      }
      log.put(store, key("r", 0), value(count, 20)); // left for close() to make durable
    });
  }

  static String key(String prefix, int i) {
    return String.format("%s%05d", prefix, i);
  }

  /** A value that names its commit and is otherwise random (so it does not compress away). */
  static byte[] value(int i, int length) {
    byte[] v = new byte[length];
    new Random(i * 7919L + length).nextBytes(v);
    byte[] tag = ("v" + i + ":").getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(tag, 0, v, 0, Math.min(tag.length, length));
    return v;
  }
}
