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
 * <p>A torn tail of the newest WAL is cut off (truncated and fsynced). So is one of an older WAL
 * that no later WAL marks as fsynced whole, together with every later WAL: nothing after a WAL
 * that was never durable was durable either. Any other damage is a {@link CorruptionException}.
 * Files that no checkpoint refers to are leftovers of an interrupted flush, compaction or
 * checkpoint, and are deleted, but only after the state is known to be good.
 */
final class Recovery {
  /**
   * Replayed records applied between two checks for a due merge of the index (see {@link
   * #applyReplayed}).
   */
  private static final int REPLAY_SLICE = 4096;

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
   * checkpoint's {@code walStartNumber} on are still needed to recover, and recovery fsynced them
   * ({@code length} bytes, format {@code version}); older ones are change history, kept until
   * retention deletes them (their version and length are not read: 0 and -1).
   */
  record WalFile(long number, long startSequence, int version, long length, boolean holdsCommits) {}

  private Recovery() {}

  /**
   * Applies replayed records a slice at a time, and merges the index's active map into its base
   * run whenever a merge is due, as the maintenance thread does while a store takes writes (it
   * does not run yet). Applied whole, a million records after a crash went into one active map of
   * a million keys (then a skip list): 87% of a 3.5 s open went to its inserts.
   */
  private static void applyReplayed(KeyIndex index, List<WalRecord> records) {
    for (int from = 0; from < records.size(); from += REPLAY_SLICE) {
      index.apply(records.subList(from, Math.min(records.size(), from + REPLAY_SLICE)));
      if (index.wantsMerge()) {
        index.merge();
      }
    }
  }

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
    List<Path> discarded = new ArrayList<>(); // WALs after a power-loss cut: nothing in them was durable
    long previousWal = -1; // the WAL replayed before the current one, and where its records end
    long previousEnd = 0;
    List<long[]> starts = new ArrayList<>(); // {number, first sequence or -1 when empty, version, length}
    for (long n : wals.headSet(meta.walStartNumber(), false)) {
      starts.add(new long[] {n, firstSequence(vfs, FileNames.path(dir, FileNames.Kind.WAL, n)), 0, -1});
    }
    List<Long> replay = new ArrayList<>(wals.tailSet(meta.walStartNumber(), true));
    for (int i = 0; i < replay.size(); i++) {
      long n = replay.get(i);
      Path path = FileNames.path(dir, FileNames.Kind.WAL, n);
      boolean newest = i == replay.size() - 1;
      List<Long> later = replay.subList(i + 1, replay.size());
      try (VfsFile file = vfs.open(path)) {
        WalReader.Result result = WalReader.read(path, file, true, 0, lastSequence);
        if (!newest && result.validEnd() == 0) {
          throw new CorruptionException(path, 0, "bad WAL header");
        }
        if (!newest && result.zeroTail()) {
          long marked = markedLength(vfs, dir, later, n);
          if (marked > result.validEnd()) {
            throw new CorruptionException(path, result.validEnd(), "WAL records end in zeros at " + result.validEnd()
                + ", but a later WAL marks this one durable, " + marked + " bytes long");
          }
        }
        boolean tornCut = false;
        boolean gapCut = false;
        if (!newest && result.tornTail()) {
          // Damage, unless this WAL was never fsynced whole: then it ends where the power failed.
          long marked = markedLength(vfs, dir, later, n);
          if (marked >= 0) {
            throw new CorruptionException(path, result.validEnd(),
                "damaged WAL record; a later WAL marks this one durable, " + marked + " bytes long");
          }
          tornCut = true;
        }
        List<WalRecord> fresh = new ArrayList<>();
        for (WalRecord r : result.records()) {
          if (r.sequence() <= meta.lastSequence()) {
            continue;
          }
          if (r.sequence() != lastSequence + 1) {
            if (fresh.isEmpty() && previousWal >= 0) {
              if (markedLength(vfs, dir, replay.subList(i, replay.size()), previousWal) < 0) {
                gapCut = true; // the previous WAL lost whole records at its end, and was never durable
                break;
              }
              throw new CorruptionException(FileNames.path(dir, FileNames.Kind.WAL, previousWal), previousEnd,
                  "WAL ends at sequence " + lastSequence + " but " + path.getFileName() + " goes on at "
                  + r.sequence() + ": records are missing from its end");
            }
            throw new CorruptionException(path, 0, "WAL sequence " + r.sequence() + " does not follow " + lastSequence);
          }
          lastSequence = r.sequence();
          fresh.add(r);
        }
        if (gapCut) { // the cut is before this file: it and the later ones go
          discarded.add(path);
          for (long m : later) {
            discarded.add(FileNames.path(dir, FileNames.Kind.WAL, m));
          }
          break;
        }
        applyReplayed(index, fresh);
        previousWal = n;
        previousEnd = result.validEnd();
        if ((result.tornTail() || result.zeroTail()) && result.validEnd() > 0) {
          file.truncate(result.validEnd()); // appends go on from the last record
        }
        file.sync(); // the state it holds is recovered: make it durable before anything follows it
        if (result.validEnd() == 0) {
          emptyTornWal = path; // its header never reached the disk: it holds nothing
        } else if (newest && result.version() < WalFormat.VERSION && result.records().isEmpty()) {
          emptyTornWal = path; // an empty WAL of an older version: new commits go to a new file
        } else {
          starts.add(new long[] {n, result.records().isEmpty() ? -1 : result.records().get(0).sequence(),
              result.version(), result.validEnd()});
        }
        if (tornCut) {
          for (long m : later) {
            discarded.add(FileNames.path(dir, FileNames.Kind.WAL, m));
          }
          break;
        }
      }
    }
    // An empty file may hold the sequences from the next file's start (the next commit, if last).
    List<WalFile> walFiles = new ArrayList<>();
    long nextStart = lastSequence + 1;
    for (int i = starts.size() - 1; i >= 0; i--) {
      long first = starts.get(i)[1];
      nextStart = first >= 0 ? first : nextStart;
      long[] start = starts.get(i);
      walFiles.add(0, new WalFile(start[0], nextStart, (int) start[2], start[3], first >= 0));
    }

    // The state is good: delete what no checkpoint refers to.
    if (emptyTornWal != null) {
      discarded.add(emptyTornWal);
    }
    for (Path p : discarded) {
      vfs.delete(p);
    }
    if (!discarded.isEmpty()) {
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
   * The length that a durability mark in one of the {@code later} WALs gives WAL {@code number}, or
   * -1 if none marks it ({@link WalReader#scanMarks}: a mark past damage in a later WAL is not
   * found, and the later WAL is damaged anyway).
   */
  private static long markedLength(Vfs vfs, Path dir, List<Long> later, long number) throws IOException {
    for (long m : later) {
      byte[] b;
      try (VfsFile file = vfs.open(FileNames.path(dir, FileNames.Kind.WAL, m))) {
        b = new byte[(int) Math.min(file.size(), Integer.MAX_VALUE - 16)];
        file.read(0, b, 0, b.length);
      }
      for (WalReader.Mark mark : WalReader.scanMarks(b)) {
        if (mark.walNumber() == number) {
          return mark.walLength();
        }
      }
    }
    return -1;
  }

  /**
   * The sequence of the first commit of a history WAL, after any durability marks. A WAL is sealed
   * only once it holds commits (rotation needs {@code walRotateBytes}, compaction a non-empty WAL),
   * so a history WAL without one lost them.
   */
  private static long firstSequence(Vfs vfs, Path path) throws IOException {
    try (VfsFile file = vfs.open(path)) {
      long size = file.size();
      if (size <= WalFormat.HEADER_BYTES) {
        throw new CorruptionException(path, Math.min(size, WalFormat.HEADER_BYTES),
            "WAL in the change history holds no record: the file was cut short");
      }
      long pos = WalFormat.HEADER_BYTES;
      for (;;) {
        if (size - pos < WalFormat.RECORD_HEADER_BYTES) {
          throw new CorruptionException(path, pos, "WAL history ends inside its first record header");
        }
        byte[] header = new byte[WalFormat.RECORD_HEADER_BYTES];
        file.read(pos, header, 0, header.length);
        int payloadLength = Bytes.getInt(header, 0);
        if (payloadLength < WalFormat.MIN_PAYLOAD_BYTES
            || payloadLength > size - pos - WalFormat.RECORD_HEADER_BYTES) {
          throw new CorruptionException(path, pos, "damaged first record in WAL history");
        }
        byte[] record = new byte[WalFormat.RECORD_HEADER_BYTES + payloadLength];
        file.read(pos, record, 0, record.length);
        if (WalReader.isMark(record, 0, record.length)) {
          pos += record.length;
          continue;
        }
        WalRecord first = WalReader.decodeVerified(record, 0, record.length);
        if (first == null) {
          throw new CorruptionException(path, pos, "damaged first record in WAL history");
        }
        return first.sequence();
      }
    }
  }
}
