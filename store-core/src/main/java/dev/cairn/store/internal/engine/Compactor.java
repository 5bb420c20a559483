package dev.cairn.store.internal.engine;

import dev.cairn.store.internal.index.KeyIndex;
import dev.cairn.store.internal.index.MergedIterator;
import dev.cairn.store.internal.index.Version;
import dev.cairn.store.internal.segment.BlockCodec;
import dev.cairn.store.internal.segment.BlockReader;
import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.segment.SegmentFormat;
import dev.cairn.store.internal.segment.SegmentRecord;
import dev.cairn.store.internal.segment.SegmentWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One compaction: rewrites the live records of some segments into new segments, then points the
 * index at the new copies. Runs on the maintenance thread; readers and writers go on meanwhile,
 * and wait at most for one chunk of index updates.
 *
 * <p>Live records are found by one pass over the index (a record is live when a key's newest
 * version points at it). A block whose records are all live is copied as it is, still compressed;
 * other blocks are decompressed and only their live records rewritten.
 */
final class Compactor {
  private final StoreEngine engine;
  private final List<Segment> victims;
  private final Runnable mergeIfDue;
  private final List<Segment> outputs = new ArrayList<>();
  private final List<KeyIndex.Replacement> moves = new ArrayList<>();
  private final List<Pending> pending = new ArrayList<>();
  private SegmentWriter writer;
  private long writerNumber;
  private Path working; // the segment being read or written, for error messages

  /** A record copied into the open output segment, not yet in the index. */
  private record Pending(byte[] key, Version old, long blockOffset, int recordOffset) {}

  /** A live record of a victim: its key and the head version that points at it. */
  private record Live(byte[] key, Version head) {}

  /** {@code mergeIfDue} runs between records: see {@link Maintenance#mergeIfDue()}. */
  Compactor(StoreEngine engine, List<Segment> victims, Runnable mergeIfDue) {
    this.engine = engine;
    this.victims = victims;
    this.mergeIfDue = mergeIfDue;
  }

  /** The segment file the compaction was last reading or writing (the one to name if it failed). */
  Path working() {
    return working;
  }

  List<Segment> run() throws IOException {
    Map<Segment, List<Live>> live = new IdentityHashMap<>();
    for (Segment s : victims) {
      live.put(s, new ArrayList<>());
    }
    MergedIterator heads = engine.index().walk(null, null);
    while (heads.advance()) {
      mergeIfDue.run();
      Version head = heads.version();
      if (head.isStored()) {
        List<Live> list = live.get(head.segment);
        if (list != null) {
          list.add(new Live(heads.key(), head));
        }
      }
    }
    try {
      for (Segment s : victims) {
        copyLive(s, live.get(s));
      }
      finishOutput();
    } catch (IOException | RuntimeException e) {
      if (writer != null) {
        writer.close();
        engine.vfs().delete(writer.path());
      }
      for (Segment s : outputs) {
        s.markObsolete(engine.vfs());
        s.release();
      }
      throw e;
    }
    engine.index().replaceHeads(moves);
    return outputs;
  }

  private void copyLive(Segment segment, List<Live> live) throws IOException {
    List<Live> records = Arrays.asList(inFileOrder(live));
    int i = 0;
    while (i < records.size()) {
      mergeIfDue.run();
      int blockOffset = records.get(i).head().blockOffset;
      int j = i;
      while (j < records.size() && records.get(j).head().blockOffset == blockOffset) {
        j++;
      }
      working = segment.path();
      BlockReader.Framed block = segment.readFramedBlock(blockOffset);
      List<Live> inBlock = records.subList(i, j);
      openOutputIfNeeded();
      working = writer.path();
      if (inBlock.size() == block.recordCount() && segment.version() == SegmentFormat.VERSION) {
        copyWholeBlock(block, inBlock);
      } else {
        rewriteLive(segment, blockOffset, block, inBlock);
      }
      if (writer.length() >= engine.options().segmentBytes()) {
        finishOutput();
      }
      i = j;
    }
  }

  /** Copies a block whose records are all live, still compressed. */
  private void copyWholeBlock(BlockReader.Framed block, List<Live> inBlock) throws IOException {
    long at = writer.copyBlock(block);
    for (Live l : inBlock) {
      pending.add(new Pending(l.key(), l.head(), at, l.head().recordOffset));
    }
  }

  /** Rewrites the live records of a block that also holds garbage, or of an older segment version. */
  private void rewriteLive(Segment segment, int blockOffset, BlockReader.Framed block, List<Live> inBlock)
      throws IOException {
    byte[] raw = block.decompress(segment.path(), blockOffset);
    for (Live l : inBlock) {
      byte[] value = SegmentRecord.valueOf(segment, blockOffset, raw, l.head().recordOffset, l.head().sequence, l.key());
      SegmentWriter.Location loc = writer.add(l.head().sequence, value);
      pending.add(new Pending(l.key(), l.head(), loc.blockOffset(), loc.recordOffset()));
    }
  }

  /**
   * A victim's live records in the order they lie in its file: by block, then by offset in the
   * block. Sorted as packed {@code long} locations, which are unique within a segment.
   */
  private static Live[] inFileOrder(List<Live> records) {
    long[] sorted = new long[records.size()];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = location(records.get(i).head());
    }
    Arrays.sort(sorted);
    Live[] ordered = new Live[sorted.length];
    for (Live l : records) {
      int at = Arrays.binarySearch(sorted, location(l.head()));
      if (ordered[at] != null) {
        throw new IllegalStateException("two keys point at block " + l.head().blockOffset + " offset "
            + l.head().recordOffset + " of " + l.head().segment.path());
      }
      ordered[at] = l;
    }
    return ordered;
  }

  private static long location(Version v) {
    return (long) v.blockOffset << 32 | v.recordOffset;
  }

  private void openOutputIfNeeded() throws IOException {
    if (writer == null) {
      writerNumber = engine.nextFileNumber();
      Path path = FileNames.path(engine.directory(), FileNames.Kind.SEGMENT, writerNumber);
      working = path;
      writer = new SegmentWriter(engine.vfs(), path, BlockCodec.id(engine.options().compression()),
          engine.options().blockBytes());
    }
  }

  private void finishOutput() throws IOException {
    if (writer == null) {
      return;
    }
    working = writer.path();
    writer.finish();
    working = engine.directory();
    engine.vfs().syncDirectory(engine.directory());
    working = writer.path();
    Segment segment = Segment.open(engine.vfs(), writer.path(), writerNumber, -1);
    writer = null;
    outputs.add(segment);
    for (Pending p : pending) {
      moves.add(new KeyIndex.Replacement(p.key(), p.old(), Version.stored(p.old().sequence, segment,
          p.blockOffset(), p.recordOffset(), p.old().valueLength, p.old().prev)));
    }
    pending.clear();
  }
}
