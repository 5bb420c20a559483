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
 * cache is one shard). A shard is an open-addressing table with linear probing whose slots hold
 * immutable entries (key, block); a reader probes from the key's home slot to the first empty slot
 * and returns the block of the entry with its key, so it can never return another key's block.
 * Writers (a miss's put, eviction, {@link #evictSegment}) take the shard's monitor and publish each
 * slot change with release semantics; a resize or a purge builds a new table and publishes it
 * whole. A reader racing a writer may miss an entry that is being moved: a spurious miss, which
 * reads the block from its segment, never a wrong hit.
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
    shard(hash).put(new Entry(key, (int) hash, block));
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

  /** A cached block under its key. Immutable but for the reference bit. */
  private static final class Entry {
    final long key;
    final int hash;
    final byte[] block;
    /** Set when put and by readers (racily: it is a hint); cleared by the clock hand under the shard's monitor. */
    boolean referenced = true;

    Entry(long key, int hash, byte[] block) {
      this.key = key;
      this.hash = hash;
      this.block = block;
    }
  }

  /** One table of entries, its byte budget and its clock hand. */
  private static final class Shard {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Entry[].class);
    private static final int MIN_SLOTS = 16;
    /** No segment has this file number: a rebuild that drops nothing. */
    private static final long NO_SEGMENT = -1;

    private final long capacityBytes;
    private volatile Entry[] table = new Entry[MIN_SLOTS]; // replaced under this; slots written under this
    private int count; // guarded by this
    private long sizeBytes; // guarded by this
    private int hand; // guarded by this

    Shard(long capacityBytes) {
      this.capacityBytes = capacityBytes;
    }

    byte[] get(long key, int hash) {
      Entry[] t = table;
      int mask = t.length - 1;
      for (int i = hash & mask, probes = 0; probes < t.length; i = (i + 1) & mask, probes++) {
        Entry e = (Entry) SLOT.getAcquire(t, i);
        if (e == null) {
          return null;
        }
        if (e.key == key) {
          if (!e.referenced) {
            e.referenced = true;
          }
          return e.block;
        }
      }
      return null;
    }

    synchronized void put(Entry entry) {
      if (entry.block.length > capacityBytes / 4) {
        return;
      }
      if (2 * (count + 1) > table.length) {
        rebuild(table.length * 2, NO_SEGMENT);
      }
      Entry[] t = table;
      int mask = t.length - 1;
      int i = entry.hash & mask;
      for (Entry e; (e = t[i]) != null; i = (i + 1) & mask) {
        if (e.key == entry.key) {
          sizeBytes -= e.block.length;
          count--;
          break;
        }
      }
      SLOT.setRelease(t, i, entry);
      count++;
      sizeBytes += entry.block.length;
      while (sizeBytes > capacityBytes) {
        evictOne(entry);
      }
    }

    /** Advances the clock hand to the first unreferenced entry other than {@code keep}, and removes it. */
    private void evictOne(Entry keep) {
      Entry[] t = table;
      int mask = t.length - 1;
      for (;; hand = (hand + 1) & mask) {
        Entry e = t[hand];
        if (e == null || e == keep) {
          continue;
        }
        if (e.referenced) {
          e.referenced = false;
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
    private void remove(Entry[] t, int hole) {
      int mask = t.length - 1;
      sizeBytes -= t[hole].block.length;
      count--;
      for (int j = (hole + 1) & mask; t[j] != null; j = (j + 1) & mask) {
        int home = t[j].hash & mask;
        boolean homeOutsideGap = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
        if (homeOutsideGap) {
          SLOT.setRelease(t, hole, t[j]);
          hole = j;
        }
      }
      SLOT.setRelease(t, hole, null);
    }

    synchronized void evictSegment(long fileNumber) {
      rebuild(table.length, fileNumber);
    }

    /** Publishes a new table of {@code slots} slots holding every entry but those of segment {@code dropFileNumber}. */
    private void rebuild(int slots, long dropFileNumber) {
      Entry[] fresh = new Entry[slots];
      int mask = slots - 1;
      count = 0;
      sizeBytes = 0;
      for (Entry e : table) {
        if (e == null || (e.key >>> 32) == dropFileNumber) {
          continue;
        }
        int i = e.hash & mask;
        while (fresh[i] != null) {
          i = (i + 1) & mask;
        }
        fresh[i] = e;
        count++;
        sizeBytes += e.block.length;
      }
      hand = 0;
      table = fresh;
    }

    synchronized long sizeBytes() {
      return sizeBytes;
    }
  }
}
