package dev.cairn.store.internal.engine;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.checkpoint.CheckpointMeta;
import dev.cairn.store.internal.checkpoint.CheckpointReader;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.index.KeyIndex;
import dev.cairn.store.internal.index.Version;
import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.util.Bytes;
import dev.cairn.store.internal.wal.WalFormat;
import dev.cairn.store.internal.wal.WalReader;
import dev.cairn.store.internal.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Rebuilds the in-memory state of a store from its directory: the newest checkpoint, the segments
 * it lists, then the WAL files from its replay start. Runs once, on the opening thread, before the
 * store is shared.
 *
 * <p>A torn tail of the newest WAL is cut off (truncated and fsynced); any other damage is a
 * {@link CorruptionException}. Files that no checkpoint refers to are leftovers of an interrupted
 * flush, compaction or checkpoint, and are deleted, but only after the state is known to be good.
 */
final class Recovery {
  /** What recovery found. */
  record State(
      List<Segment> segments,
      long checkpointNumber,
      long flushedSequence,
      long walStartNumber,
      long lastSequence,
      long nextFileNumber,
      List<WalFile> wals) {}

  /**
   * A WAL file kept after recovery, with the first sequence it may hold. The files from the
   * checkpoint's {@code walStartNumber} on are still needed to recover; older ones are change
   * history, kept until retention deletes them.
   */
  record WalFile(long number, long startSequence) {}

  private Recovery() {}

  /** Growable parallel arrays of checkpoint entries. */
  private static final class EntryArrays {
    byte[][] keys = new byte[1024][];
    Version[] versions = new Version[1024];
    int count;

    void add(byte[] key, Version version) {
      if (count == keys.length) {
        keys = java.util.Arrays.copyOf(keys, count * 2);
        versions = java.util.Arrays.copyOf(versions, count * 2);
      }
      keys[count] = key;
      versions[count++] = version;
    }
  }

  static State run(Vfs vfs, Path dir, KeyIndex index) throws IOException {
    TreeSet<Long> checkpoints = new TreeSet<>();
    TreeSet<Long> wals = new TreeSet<>();
    TreeSet<Long> segmentFiles = new TreeSet<>();
    List<Path> temporary = new ArrayList<>();
    long maxNumber = 0;
    for (String name : vfs.list(dir)) {
      if (name.endsWith(FileNames.TMP_SUFFIX)) {
        temporary.add(dir.resolve(name));
        continue;
      }
      for (FileNames.Kind kind : FileNames.Kind.values()) {
        long n = FileNames.parse(name, kind);
        if (n >= 0) {
          maxNumber = Math.max(maxNumber, n);
          (kind == FileNames.Kind.WAL ? wals : kind == FileNames.Kind.SEGMENT ? segmentFiles : checkpoints).add(n);
        }
      }
    }

    CheckpointMeta meta;
    long checkpointNumber = 0;
    List<Segment> segments = new ArrayList<>();
    if (checkpoints.isEmpty()) {
      meta = new CheckpointMeta(0, wals.isEmpty() ? 1 : wals.first(), 1, List.of());
    } else {
      checkpointNumber = checkpoints.last();
      Path path = FileNames.path(dir, FileNames.Kind.CHECKPOINT, checkpointNumber);
      try (VfsFile file = vfs.open(path)) {
        meta = CheckpointReader.readMeta(path, file);
        for (CheckpointMeta.SegmentRef ref : meta.segments()) {
          Path segmentPath = FileNames.path(dir, FileNames.Kind.SEGMENT, ref.fileNumber());
          if (!vfs.exists(segmentPath)) {
            throw new CorruptionException(segmentPath, 0, "segment listed by checkpoint " + path.getFileName() + " is missing");
          }
          segments.add(Segment.open(vfs, segmentPath, ref.fileNumber(), ref.fileLength()));
        }
        Segment[] bySlot = segments.toArray(new Segment[0]);
        EntryArrays loaded = new EntryArrays();
        CheckpointReader.readEntries(path, file, bySlot.length,
            (key, sequence, slot, blockOffset, recordOffset, valueLength) -> loaded.add(key,
                Version.stored(sequence, bySlot[slot], blockOffset, recordOffset, valueLength, null)));
        index.loadSorted(loaded.keys, loaded.versions, loaded.count);
      } catch (IOException | RuntimeException e) {
        for (Segment s : segments) {
          s.release();
        }
        throw e;
      }
    }

    long lastSequence = meta.lastSequence();
    index.recoverSequence(lastSequence);
    Path emptyTornWal = null;
    Path previousWal = null; // the WAL replayed before the current one, and where its records end
    long previousEnd = 0;
    List<long[]> starts = new ArrayList<>(); // {number, first sequence or -1 when empty}
    for (long n : wals.headSet(meta.walStartNumber(), false)) {
      starts.add(new long[] {n, firstSequence(vfs, FileNames.path(dir, FileNames.Kind.WAL, n))});
    }
    for (long n : wals.tailSet(meta.walStartNumber(), true)) {
      Path path = FileNames.path(dir, FileNames.Kind.WAL, n);
      boolean newest = n == wals.last();
      try (VfsFile file = vfs.open(path)) {
        WalReader.Result result = WalReader.read(path, file, newest, 0, lastSequence);
        List<WalRecord> fresh = new ArrayList<>();
        for (WalRecord r : result.records()) {
          if (r.sequence() <= meta.lastSequence()) {
            continue;
          }
          if (r.sequence() != lastSequence + 1) {
            if (fresh.isEmpty() && previousWal != null) {
              throw new CorruptionException(previousWal, previousEnd, "WAL ends at sequence " + lastSequence + " but "
                  + path.getFileName() + " goes on at " + r.sequence() + ": records are missing from its end");
            }
            throw new CorruptionException(path, 0, "WAL sequence " + r.sequence() + " does not follow " + lastSequence);
          }
          lastSequence = r.sequence();
          fresh.add(r);
        }
        index.apply(fresh);
        previousWal = path;
        previousEnd = result.validEnd();
        if (result.tornTail() && result.validEnd() > 0) {
          file.truncate(result.validEnd());
          file.sync();
        }
        if (result.validEnd() == 0) {
          emptyTornWal = path; // its header never reached the disk: it holds nothing
        } else {
          starts.add(new long[] {n, result.records().isEmpty() ? -1 : result.records().get(0).sequence()});
        }
      }
    }
    // An empty file may hold the sequences from the next file's start (the next commit, if last).
    List<WalFile> walFiles = new ArrayList<>();
    long nextStart = lastSequence + 1;
    for (int i = starts.size() - 1; i >= 0; i--) {
      long first = starts.get(i)[1];
      nextStart = first >= 0 ? first : nextStart;
      walFiles.add(0, new WalFile(starts.get(i)[0], nextStart));
    }

    // The state is good: delete what no checkpoint refers to.
    if (emptyTornWal != null) {
      vfs.delete(emptyTornWal);
      vfs.syncDirectory(dir);
    }
    for (Path p : temporary) {
      vfs.delete(p);
    }
    for (long n : checkpoints.headSet(checkpointNumber, false)) {
      vfs.delete(FileNames.path(dir, FileNames.Kind.CHECKPOINT, n));
    }
    for (long n : segmentFiles) {
      if (meta.segments().stream().noneMatch(ref -> ref.fileNumber() == n)) {
        vfs.delete(FileNames.path(dir, FileNames.Kind.SEGMENT, n));
      }
    }
    long nextFile = Math.max(meta.nextFileNumber(), maxNumber + 1);
    return new State(segments, checkpointNumber, meta.lastSequence(), meta.walStartNumber(), lastSequence,
        nextFile, walFiles);
  }

  /**
   * The sequence of the first record of a history WAL. A WAL is sealed only once it holds records
   * (rotation needs {@code walRotateBytes}, compaction a non-empty WAL), so a history WAL without
   * one lost them.
   */
  private static long firstSequence(Vfs vfs, Path path) throws IOException {
    try (VfsFile file = vfs.open(path)) {
      long size = file.size();
      if (size <= WalFormat.HEADER_BYTES) {
        throw new CorruptionException(path, Math.min(size, WalFormat.HEADER_BYTES),
            "WAL in the change history holds no record: the file was cut short");
      }
      if (size < WalFormat.HEADER_BYTES + WalFormat.RECORD_HEADER_BYTES) {
        throw new CorruptionException(path, WalFormat.HEADER_BYTES, "WAL history ends inside its first record header");
      }
      byte[] header = new byte[WalFormat.RECORD_HEADER_BYTES];
      file.read(WalFormat.HEADER_BYTES, header, 0, header.length);
      int payloadLength = Bytes.getInt(header, 0);
      if (payloadLength < WalFormat.MIN_PAYLOAD_BYTES
          || payloadLength > size - WalFormat.HEADER_BYTES - WalFormat.RECORD_HEADER_BYTES) {
        throw new CorruptionException(path, WalFormat.HEADER_BYTES, "damaged first record in WAL history");
      }
      byte[] record = new byte[WalFormat.RECORD_HEADER_BYTES + payloadLength];
      file.read(WalFormat.HEADER_BYTES, record, 0, record.length);
      WalRecord first = WalReader.decodeVerified(record, 0, record.length);
      if (first == null) {
        throw new CorruptionException(path, WalFormat.HEADER_BYTES, "damaged first record in WAL history");
      }
      return first.sequence();
    }
  }
}
