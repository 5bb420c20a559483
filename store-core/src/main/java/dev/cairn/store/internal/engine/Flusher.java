package dev.cairn.store.internal.engine;

import dev.cairn.store.internal.index.KeyIndex;
import dev.cairn.store.internal.index.Version;
import dev.cairn.store.internal.segment.BlockCodec;
import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.segment.SegmentWriter;
import dev.cairn.store.internal.util.KeySort;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One flush: packs the values a WAL generation left in memory into a new segment, in key order,
 * and lists the index moves that point those keys at it. Runs on the maintenance thread.
 *
 * <p>A key's value is written if the version visible at the generation's last sequence is still in
 * memory; a key overwritten or deleted since needs nothing (its newer version belongs to a later
 * generation). Each step is a loop of its own: the steps run once per flush over up to millions
 * of keys, and small loops are cheaper for the JIT to compile than one large one.
 */
final class Flusher {
  private final StoreEngine engine;
  private final Generation generation;
  private final Runnable mergeIfDue;
  private byte[][] keys;
  private Version[] versions; // the in-memory version to write for keys[i], or null
  private long[] blockOffsets;
  private int[] recordOffsets;
  private Path working;

  /** {@code mergeIfDue} runs between keys: see {@link Maintenance#mergeIfDue()}. */
  Flusher(StoreEngine engine, Generation generation, Runnable mergeIfDue) {
    this.engine = engine;
    this.generation = generation;
    this.mergeIfDue = mergeIfDue;
  }

  /** The file the flush was last writing or syncing (the one to name if it failed). */
  Path working() {
    return working;
  }

  /**
   * Writes segment {@code number} at {@code path}, makes it durable and opens it; returns null
   * (and leaves no file) when no value is left in memory to write.
   */
  Segment writeSegment(long number, Path path) throws IOException {
    keys = sortedDistinct(generation.keys());
    versions = inMemoryVersions(engine.index(), keys, generation.lastSequence(), mergeIfDue);
    working = path;
    int written;
    try (SegmentWriter writer = new SegmentWriter(engine.vfs(), path,
        BlockCodec.id(engine.options().compression()), engine.options().blockBytes())) {
      written = writeRecords(writer);
      if (written > 0) {
        writer.finish();
      }
    }
    if (written == 0) {
      engine.vfs().delete(path);
      return null;
    }
    working = engine.directory();
    engine.vfs().syncDirectory(engine.directory());
    working = path;
    return Segment.open(engine.vfs(), path, number, -1);
  }

  /** The moves of the written keys' heads from memory to {@code segment}, in key order. */
  List<KeyIndex.Replacement> moves(Segment segment) {
    List<KeyIndex.Replacement> moves = new ArrayList<>(keys.length);
    for (int i = 0; i < keys.length; i++) {
      Version v = versions[i];
      if (v != null) {
        moves.add(new KeyIndex.Replacement(keys[i], v, Version.stored(v.sequence, segment, blockOffsets[i],
            recordOffsets[i], v.valueLength, v.prev)));
      }
    }
    return moves;
  }

  private static byte[][] sortedDistinct(List<byte[]> written) {
    byte[][] sorted = written.toArray(new byte[0][]);
    KeySort.sort(sorted);
    int n = 0;
    for (byte[] key : sorted) {
      if (n == 0 || !Arrays.equals(sorted[n - 1], key)) {
        sorted[n++] = key;
      }
    }
    return n == sorted.length ? sorted : Arrays.copyOf(sorted, n);
  }

  private static Version[] inMemoryVersions(KeyIndex index, byte[][] keys, long lastSequence, Runnable mergeIfDue) {
    Version[] versions = new Version[keys.length];
    for (int i = 0; i < keys.length; i++) {
      mergeIfDue.run();
      Version v = index.visibleAt(keys[i], lastSequence);
      if (v != null && v.isInMemory()) {
        versions[i] = v;
      }
    }
    return versions;
  }

  /** Adds the records; returns how many. */
  private int writeRecords(SegmentWriter writer) throws IOException {
    blockOffsets = new long[keys.length];
    recordOffsets = new int[keys.length];
    int written = 0;
    for (int i = 0; i < keys.length; i++) {
      mergeIfDue.run();
      Version v = versions[i];
      if (v != null) {
        SegmentWriter.Location at = writer.add(v.sequence, v.value, v.recordOffset, v.valueLength);
        blockOffsets[i] = at.blockOffset();
        recordOffsets[i] = at.recordOffset();
        written++;
      }
    }
    return written;
  }
}
