package dev.cairn.store.internal.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Decompressed segment blocks, bounded by their total bytes, evicted by CLOCK (second chance).
 * Thread-safe. Keys are (segment file number, block offset).
 *
 * <h2>Design</h2>
 * A hit takes no lock and writes nothing shared but, at most, a block's reference bit. The cache
 * is split by key into shards, each with an equal share of the capacity (at least 1 MiB, so a small
 * cache is one shard). A shard is an open-addressing table with linear probing, in parallel arrays
 * of keys, blocks and reference bits: a hit reads a key and a block reference next to their
 * neighbours', in arrays small enough to stay in cache, and then the block. (With an object per
 * entry, each hit also missed the cache on that object, wherever the heap had put it.) Writers (a
 * miss's put, eviction, {@link #evictSegment}) take the shard's monitor and make the shard's stamp
 * odd while they change its table; a reader takes a hit only if the stamp was even and unchanged
 * around its probe, and otherwise probes again, a few times, before it calls it a miss. So a get
 * never returns another key's block; at worst a spurious miss reads the block from its segment.
 *
 * <h2>Eviction</h2>
 * Each entry has a reference bit, set when it is put and by a hit that finds it clear, so a cache
 * whose blocks all fit sees no writes at all once warm. When a put takes a shard past its budget,
 * the clock hand sweeps the table: it clears set bits and evicts the first entry whose bit is
 * already clear (never the one being put), until the shard fits. So a block survives at least one
 * pass of the hand after it is put, and another for each pass in which it was read again.
 */
final class BlockCache {
  private static final int MAX_SHARDS = 16;
  private static final long MIN_SHARD_BYTES = 1 << 20;

  private final Shard[] shards;

  BlockCache(long capacityBytes) {
    int count = (int) Math.max(1, Math.min(MAX_SHARDS, capacityBytes / MIN_SHARD_BYTES));
    shards = new Shard[count];
    for (int i = 0; i < count; i++) {
      shards[i] = new Shard(capacityBytes / count);
    }
  }

  private static long key(long fileNumber, int blockOffset) {
    return (fileNumber << 32) | (blockOffset & 0xFFFFFFFFL);
  }

  /** A 64-bit mix of the key (murmur3's finalizer): the shard takes its high bits, the slot its low bits. */
  private static long hash(long key) {
    long h = key;
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }

  private Shard shard(long hash) {
    return shards[(int) ((hash >>> 40) % shards.length)];
  }

  /** The cached block, or null. Never blocks. */
  byte[] get(long fileNumber, int blockOffset) {
    long key = key(fileNumber, blockOffset);
    long hash = hash(key);
    return shard(hash).get(key, (int) hash);
  }

  /** Caches {@code block}, replacing any block cached under the same key; a block over a quarter of a shard is not cached. */
  void put(long fileNumber, int blockOffset, byte[] block) {
    long key = key(fileNumber, blockOffset);
    long hash = hash(key);
    shard(hash).put(key, (int) hash, block);
  }

  /** Drops every block of a segment that is gone. */
  void evictSegment(long fileNumber) {
    for (Shard s : shards) {
      s.evictSegment(fileNumber);
    }
  }

  /** Total bytes of the cached blocks. */
  long sizeBytes() {
    long total = 0;
    for (Shard s : shards) {
      total += s.sizeBytes();
    }
    return total;
  }

  /** One table of entries, its byte budget and its clock hand. */
  private static final class Shard {
    private static final VarHandle STAMP;
    private static final int MIN_SLOTS = 16;
    /** Probes of a table that writers keep changing before a get gives up: a spurious miss. */
    private static final int READ_ATTEMPTS = 4;
    /** No segment has this file number: a rebuild that drops nothing. */
    private static final long NO_SEGMENT = -1;

    static {
      try {
        STAMP = MethodHandles.lookup().findVarHandle(Shard.class, "stamp", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    /** Slot {@code i} holds {@code blocks[i]} (null: empty) under {@code keys[i]}. */
    private static final class Table {
      final long[] keys;
      final byte[][] blocks;
      /** Set when put and by readers (racily: it is a hint); cleared by the clock hand under the shard's monitor. */
      final boolean[] referenced;

      Table(int slots) {
        keys = new long[slots];
        blocks = new byte[slots][];
        referenced = new boolean[slots];
      }
    }

    private final long capacityBytes;
    /** Odd while a writer changes the table or replaces it; two more after each change. */
    @SuppressWarnings("unused") // through STAMP
    private int stamp;
    private Table table = new Table(MIN_SLOTS); // replaced and changed only while the stamp is odd
    private int count; // guarded by this
    private long sizeBytes; // guarded by this
    private int hand; // guarded by this

    Shard(long capacityBytes) {
      this.capacityBytes = capacityBytes;
    }

    byte[] get(long key, int hash) {
      for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        int s = (int) STAMP.getAcquire(this);
        if ((s & 1) != 0) {
          Thread.onSpinWait();
          continue;
        }
        Table t = table;
        long[] keys = t.keys;
        byte[][] blocks = t.blocks;
        int mask = keys.length - 1;
        byte[] found = null;
        int at = hash & mask;
        for (int probes = 0; probes < keys.length; at = (at + 1) & mask, probes++) {
          byte[] block = blocks[at];
          if (block == null) {
            break;
          }
          if (keys[at] == key) {
            found = block;
            break;
          }
        }
        VarHandle.acquireFence(); // the reads above before the stamp's
        if ((int) STAMP.getOpaque(this) == s) {
          if (found != null && !t.referenced[at]) {
            t.referenced[at] = true;
          }
          return found;
        }
      }
      return null;
    }

    /** Makes the stamp odd: readers from here on retry until {@link #endWrite}. */
    private void beginWrite() {
      STAMP.setOpaque(this, (int) STAMP.getOpaque(this) + 1);
      VarHandle.storeStoreFence();
    }

    private void endWrite() {
      STAMP.setRelease(this, (int) STAMP.getOpaque(this) + 1);
    }

    synchronized void put(long key, int hash, byte[] block) {
      if (block.length > capacityBytes / 4) {
        return;
      }
      beginWrite();
      try {
        if (2 * (count + 1) > table.keys.length) {
          rebuild(table.keys.length * 2, NO_SEGMENT);
        }
        Table t = table;
        int mask = t.keys.length - 1;
        int i = hash & mask;
        for (; t.blocks[i] != null; i = (i + 1) & mask) {
          if (t.keys[i] == key) {
            sizeBytes -= t.blocks[i].length;
            count--;
            break;
          }
        }
        t.keys[i] = key;
        t.blocks[i] = block;
        t.referenced[i] = true;
        count++;
        sizeBytes += block.length;
        while (sizeBytes > capacityBytes) {
          evictOne(key);
        }
      } finally {
        endWrite();
      }
    }

    /** Advances the clock hand to the first unreferenced entry other than {@code keep}'s, and removes it. */
    private void evictOne(long keep) {
      Table t = table;
      int mask = t.keys.length - 1;
      for (;; hand = (hand + 1) & mask) {
        if (t.blocks[hand] == null || t.keys[hand] == keep) {
          continue;
        }
        if (t.referenced[hand]) {
          t.referenced[hand] = false;
          continue;
        }
        remove(t, hand);
        return;
      }
    }

    /**
     * Empties slot {@code hole} and moves back the entries after it that would otherwise be cut
     * off from their home slot (Knuth's algorithm R), so that probing stays correct without
     * tombstones. The hand stays put: whatever moves into its slot is swept next.
     */
    private void remove(Table t, int hole) {
      int mask = t.keys.length - 1;
      sizeBytes -= t.blocks[hole].length;
      count--;
      for (int j = (hole + 1) & mask; t.blocks[j] != null; j = (j + 1) & mask) {
        int home = (int) hash(t.keys[j]) & mask;
        boolean homeOutsideGap = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
        if (homeOutsideGap) {
          t.keys[hole] = t.keys[j];
          t.blocks[hole] = t.blocks[j];
          t.referenced[hole] = t.referenced[j];
          hole = j;
        }
      }
      t.blocks[hole] = null;
    }

    synchronized void evictSegment(long fileNumber) {
      beginWrite();
      try {
        rebuild(table.keys.length, fileNumber);
      } finally {
        endWrite();
      }
    }

    /** Replaces the table with one of {@code slots} slots holding every entry but those of segment {@code dropFileNumber}. */
    private void rebuild(int slots, long dropFileNumber) {
      Table old = table;
      Table fresh = new Table(slots);
      int mask = slots - 1;
      count = 0;
      sizeBytes = 0;
      for (int j = 0; j < old.keys.length; j++) {
        byte[] block = old.blocks[j];
        if (block == null || (old.keys[j] >>> 32) == dropFileNumber) {
          continue;
        }
        int i = (int) hash(old.keys[j]) & mask;
        while (fresh.blocks[i] != null) {
          i = (i + 1) & mask;
        }
        fresh.keys[i] = old.keys[j];
        fresh.blocks[i] = block;
        fresh.referenced[i] = old.referenced[j];
        count++;
        sizeBytes += block.length;
      }
      hand = 0;
      table = fresh;
    }

    synchronized long sizeBytes() {
      return sizeBytes;
    }
  }
}
