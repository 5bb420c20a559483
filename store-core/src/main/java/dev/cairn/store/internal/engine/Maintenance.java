package dev.cairn.store.internal.engine;

import dev.cairn.store.StoreException;
import dev.cairn.store.StoreIOException;
import dev.cairn.store.internal.checkpoint.CheckpointMeta;
import dev.cairn.store.internal.checkpoint.CheckpointWriter;
import dev.cairn.store.internal.feed.WalHistory;
import dev.cairn.store.internal.index.KeyIndex;
import dev.cairn.store.internal.index.MergedIterator;
import dev.cairn.store.internal.index.Version;
import dev.cairn.store.internal.segment.BlockCodec;
import dev.cairn.store.internal.segment.Segment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The background work of a store, run one task at a time on one thread: flushing WAL generations
 * into segments, writing checkpoints, compacting segments, and releasing obsolete files once no
 * reader can need them. Running everything on one thread keeps the segment set and the
 * checkpoint simple: only this thread changes them.
 *
 * <h2>Checkpoints</h2>
 * A checkpoint lists every key, so its cost grows with the store, while a flush's grows with the
 * writes. A flush therefore writes none until the WAL files since the checkpoint's replay start
 * pass {@link #CHECKPOINT_WAL_ROTATIONS} times {@code walRotateBytes}: a store of a million keys
 * taking small writes spent most of this thread on checkpoints of every key, one per WAL file. Until
 * then, the checkpoint on disk still lists the segments it listed, recovery replays the WAL files
 * from its replay start (the flushed segments it does not list are deleted as leftovers), and
 * those WAL files are kept. Segments that compaction replaced are deleted only after a checkpoint
 * that no longer lists them. An explicit compaction, an idle store and {@link #close()} catch the
 * checkpoint up.
 *
 * <h2>Crash safety</h2>
 * Every step makes its new file durable (file fsync, directory fsync) before a checkpoint refers
 * to it, and makes the checkpoint durable (write to a temporary file, fsync, rename, directory
 * fsync) before deleting what it replaces. A crash at any point leaves the previous checkpoint and
 * everything it refers to; the next open deletes the unreferenced leftovers.
 */
final class Maintenance {
  /** Segments under 1/8 of {@code segmentBytes} are merged once there are this many. */
  private static final int SMALL_SEGMENTS_TO_MERGE = 4;
  /** How often the thread checks whether the store has been idle since the last check (see {@link #mergeIfIdle}). */
  private static final long IDLE_CHECK_MILLIS = 250;
  /**
   * A flush writes a checkpoint once the WAL files since the last one's replay start hold this many
   * times {@code walRotateBytes}; recovery after a crash then replays at most about this many more
   * WAL files than it would with a checkpoint per flush.
   */
  static final long CHECKPOINT_WAL_ROTATIONS = 4;

  private final StoreEngine engine;
  private final ScheduledExecutorService thread;
  private final AtomicInteger pendingFlushes = new AtomicInteger();
  /** Generations handed over and not taken by a flush yet, oldest first. */
  private final ConcurrentLinkedQueue<Generation> handedOver = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean mergeQueued = new AtomicBoolean();
  private final AtomicBoolean cleanupQueued = new AtomicBoolean();
  private final AtomicBoolean checkpointQueued = new AtomicBoolean();

  // Owned by the maintenance thread (written there, published through volatile).
  private volatile List<Segment> segments;
  private long flushedSequence;
  /** Where recovery would start replaying if the flushes so far were checkpointed. */
  private long walStartNumber;
  private long checkpointNumber;
  /** The replay start of the checkpoint on disk: WAL files from it on are kept for recovery. */
  private long checkpointWalStart;
  /** Segments that compaction replaced and the checkpoint on disk may still list. */
  private final List<Segment> replacedSinceCheckpoint = new ArrayList<>();
  private volatile long checkpoints;
  private final List<Obsolete> obsolete = new ArrayList<>();
  /** Whether {@link #obsolete} holds a segment: set before {@link #cleanup} looks, cleared by it. */
  private volatile boolean obsoletePending;
  private volatile long scheduledCleanups;
  /** The last commit's sequence at the previous idle check; -1 before the first. */
  private long sequenceAtIdleCheck = -1;
  private volatile long compactions;
  /** The file (or directory) the current task works on, named when the task fails. */
  private Path working;

  /** A segment replaced by compaction, deletable once every snapshot older than {@code snapshotId} closes. */
  private record Obsolete(Segment segment, long snapshotId) {}

  Maintenance(StoreEngine engine, List<Segment> segments, long flushedSequence, long walStartNumber,
      long checkpointNumber) {
    this.engine = engine;
    this.segments = List.copyOf(segments);
    this.flushedSequence = flushedSequence;
    this.walStartNumber = walStartNumber;
    this.checkpointWalStart = walStartNumber;
    this.checkpointNumber = checkpointNumber;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cairn-maintenance-" + engine.directory().getFileName());
      t.setDaemon(true);
      return t;
    });
  }

  List<Segment> segments() {
    return segments;
  }

  long compactions() {
    return compactions;
  }

  int pendingFlushes() {
    return pendingFlushes.get();
  }

  /** How many checkpoints this store has written since it opened. */
  long checkpoints() {
    return checkpoints;
  }

  // ---------------------------------------------------------------- scheduling

  /**
   * Queues the flush of a generation handed over at WAL rotation. Generations handed over while
   * an earlier flush runs are flushed together, as one segment: when writes outrun the flushing,
   * the work per flush that grows with the store (the compaction of small segments) is not paid
   * once per WAL file.
   */
  void scheduleFlush(Generation generation) {
    pendingFlushes.incrementAndGet();
    handedOver.add(generation);
    submit(this::flushHandedOver);
  }

  /** Queues a compaction; the future completes when it is done. */
  CompletableFuture<Void> scheduleCompaction(boolean everySegmentWithGarbage) {
    return submit(() -> compact(everySegmentWithGarbage));
  }

  /**
   * Queues a merge of the index's active map into its base run, unless one is queued already.
   * Called by the writer when {@link KeyIndex#wantsMerge()} says so.
   */
  void scheduleMerge() {
    submitOnce(mergeQueued, this::mergeIfDue);
  }

  /**
   * Merges the index's active map if it has taken enough writes. Besides the queued merge, the
   * long tasks (a flush, a checkpoint, a compaction) call this between keys: a merge queued behind
   * them would wait up to a second or two, while the writer goes on inserting into the active map.
   * (A fill of 100 B values grew it to 250k-330k keys that way, against 16k-64k when merged on
   * time, and an insert costs more the larger the map.) Never called inside {@link
   * KeyIndex#replaceHeads}, the one step a merge must not interleave with: a merge copies the
   * base run while replaceHeads changes it in place.
   */
  void mergeIfDue() {
    KeyIndex index = engine.index();
    if (index.wantsMerge()) {
      index.merge();
    }
  }

  /**
   * Queues a pass that trims snapshot history and releases obsolete segments, when there is either
   * to do, unless one is queued and not started yet (it will see this caller's closed snapshot
   * too). Closing a scan over a store with neither costs no pass at all: waking the maintenance
   * thread for each of thousands of short scans a second took a tenth of a scan's time and more of
   * the other core's.
   *
   * <p>Call it after unregistering the snapshot. A segment retired meanwhile is released by the
   * pass that follows its retirement, which sees this unregistration; a key that a writer gave
   * history meanwhile is trimmed at the next pass (every flush runs one).
   */
  void scheduleCleanup() {
    if (obsoletePending || engine.index().holdsHistory()) {
      submitOnce(cleanupQueued, () -> {
        scheduledCleanups++;
        cleanup();
      });
    }
  }

  /** How many passes {@link #scheduleCleanup} has run. */
  long scheduledCleanups() {
    return scheduledCleanups;
  }

  /**
   * Runs {@code task} on the maintenance thread unless a run queued earlier has not started yet:
   * {@code queued} is cleared as the run starts, so a call during a run queues the next one. While
   * closing, nothing is queued (the next open starts from the checkpoint).
   */
  private void submitOnce(AtomicBoolean queued, IoTask task) {
    if (!queued.compareAndSet(false, true)) {
      return;
    }
    try {
      submit(() -> {
        queued.set(false);
        task.run();
      });
    } catch (RejectedExecutionException e) {
      queued.set(false);
    }
  }

  /**
   * Starts checking, every {@link #IDLE_CHECK_MILLIS}, whether the store took no commit since the
   * previous check; if so, flushes the WAL if it holds enough commits ({@link
   * StoreEngine#flushIfIdle}), merges the index's active map into the base run if that is worth
   * it, and writes a checkpoint if the last one is behind the flushes. A store that is loaded and
   * then only read ends up with every key in the base run, where a point read costs one search
   * instead of a walk down the active map first, and with its values in segments, where the run packs them
   * and a scan reads them block by block instead of following a version object and an arena slot
   * per key. Stops at {@link #close()}.
   */
  void scheduleIdleMerges() {
    thread.scheduleWithFixedDelay(this::mergeIfIdle, IDLE_CHECK_MILLIS, IDLE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void mergeIfIdle() {
    long last = engine.index().visibleSequence();
    if (last == sequenceAtIdleCheck) {
      engine.flushIfIdle();
      if (engine.index().wantsIdleMerge()) {
        submitOnce(mergeQueued, () -> engine.index().merge());
      }
      if (checkpointBehind()) {
        submitOnce(checkpointQueued, this::checkpointIfBehind);
      }
    }
    sequenceAtIdleCheck = last;
  }

  /** Runs {@code task} on the maintenance thread. */
  CompletableFuture<Void> submit(IoTask task) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    thread.execute(() -> {
      working = engine.directory();
      try {
        task.run();
        done.complete(null);
      } catch (IOException e) {
        StoreException failure = engine.pipeline().latch(
            new StoreIOException("maintenance failed at " + working + ": " + e.getMessage(), e));
        done.completeExceptionally(failure);
      } catch (Throwable t) {
        if (!(t instanceof StoreException)) {
          engine.pipeline().latch(new StoreException("maintenance failed: " + t, t));
        }
        done.completeExceptionally(t);
      }
    });
    return done;
  }

  /** A unit of background work. */
  interface IoTask {
    void run() throws IOException;
  }

  /**
   * Finishes queued work, writes a checkpoint if the last one is behind the flushes (so that the
   * next open replays only the WAL that was current), and stops the thread. A store that failed
   * writes none: the next open recovers from the checkpoint on disk.
   */
  void close() {
    try {
      submit(() -> {
        if (engine.pipeline().failure() == null) {
          checkpointIfBehind();
        }
      });
    } catch (RejectedExecutionException e) {
      // already shut down
    }
    thread.shutdown();
    boolean interrupted = false;
    while (!thread.isTerminated()) {
      try {
        thread.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    for (Obsolete o : obsolete) {
      o.segment().release();
    }
    obsolete.clear();
  }

  // ---------------------------------------------------------------- flush

  /**
   * Flushes every generation handed over so far as one, compacts if that is due, and writes a
   * checkpoint if the WAL files since the last one's replay start pass their budget. Does nothing
   * if an earlier run took the generations already.
   */
  private void flushHandedOver() throws IOException {
    List<Generation> taken = new ArrayList<>();
    for (Generation g = handedOver.poll(); g != null; g = handedOver.poll()) {
      taken.add(g);
    }
    if (taken.isEmpty()) {
      return;
    }
    try {
      flush(Generation.joined(taken));
    } finally {
      pendingFlushes.addAndGet(-taken.size());
    }
    if (engine.options().backgroundCompaction()) {
      replacedSinceCheckpoint.addAll(compactSegments(false));
    }
    if (walBytesSinceCheckpoint() >= CHECKPOINT_WAL_ROTATIONS * engine.options().walRotateBytes()) {
      writeCheckpoint();
    }
    enforceRetention();
    cleanup();
  }

  /** The bytes of the flushed WAL files that the checkpoint on disk still needs replayed. */
  private long walBytesSinceCheckpoint() throws IOException {
    long bytes = 0;
    for (WalHistory.WalFile f : engine.history().files()) {
      if (f.number() >= checkpointWalStart && f.number() < walStartNumber) {
        working = f.path();
        bytes += engine.vfs().size(f.path());
      }
    }
    return bytes;
  }

  /** Whether a flush or a compaction happened since the checkpoint on disk was written. */
  private boolean checkpointBehind() {
    return walStartNumber != checkpointWalStart || !replacedSinceCheckpoint.isEmpty();
  }

  private void checkpointIfBehind() throws IOException {
    if (checkpointBehind()) {
      writeCheckpoint();
      enforceRetention();
      cleanup();
    }
  }

  /**
   * Writes the in-memory values of {@code g} into a new segment and points the index at them. The
   * next checkpoint makes the segment count for recovery and the WAL files of {@code g} history.
   */
  private void flush(Generation g) throws IOException {
    long number = engine.nextFileNumber();
    Flusher flusher = new Flusher(engine, g, this::mergeIfDue);
    Segment segment;
    try {
      segment = flusher.writeSegment(number, FileNames.path(engine.directory(), FileNames.Kind.SEGMENT, number));
    } finally {
      working = flusher.working();
    }
    if (segment != null) {
      List<Segment> next = new ArrayList<>(segments);
      next.add(segment);
      segments = List.copyOf(next);
      engine.index().replaceHeads(flusher.moves(segment));
    }
    flushedSequence = g.lastSequence();
    walStartNumber = g.walTo() + 1;
  }

  // ---------------------------------------------------------------- change history

  /** Queues a retention pass (at open). */
  void scheduleRetention() {
    submit(this::enforceRetention);
  }

  /**
   * Deletes the oldest WAL files that recovery no longer needs (below the replay start of the
   * checkpoint on disk) while the history exceeds its byte budget or they are older than its age
   * limit.
   */
  private void enforceRetention() throws IOException {
    WalHistory history = engine.history();
    List<WalHistory.WalFile> files = new ArrayList<>();
    long totalBytes = 0;
    for (WalHistory.WalFile f : history.files()) {
      if (f.number() < checkpointWalStart) {
        files.add(f);
        working = f.path();
        try {
          totalBytes += engine.vfs().size(f.path());
        } catch (java.nio.file.NoSuchFileException e) {
          history.removed(f.number());
        }
      }
    }
    long maxBytes = engine.options().changeRetentionBytes();
    java.time.Duration maxAge = engine.options().changeRetentionAge();
    long now = System.currentTimeMillis();
    for (WalHistory.WalFile f : files) {
      Long sealedAt = history.sealedAtMillis(f.number());
      boolean tooOld = maxAge != null && sealedAt != null && now - sealedAt > maxAge.toMillis();
      if (totalBytes <= maxBytes && !tooOld) {
        break;
      }
      working = f.path();
      long size = engine.vfs().size(f.path());
      history.removed(f.number());
      engine.vfs().delete(f.path());
      totalBytes -= size;
    }
  }

  // ---------------------------------------------------------------- checkpoint

  /**
   * Writes a checkpoint of every key whose newest version is at or below the flushed sequence (all
   * of which are in segments); newer changes are in WAL files the checkpoint tells recovery to
   * replay, fsynced before the checkpoint is renamed into place. Then deletes the previous
   * checkpoint, and queues the segments that compaction replaced since it for deletion.
   */
  private void writeCheckpoint() throws IOException {
    List<Segment> live = segments;
    Map<Segment, Integer> slot = new IdentityHashMap<>();
    List<CheckpointMeta.SegmentRef> refs = new ArrayList<>();
    for (Segment s : live) {
      slot.put(s, refs.size());
      refs.add(new CheckpointMeta.SegmentRef(s.fileNumber(), s.fileLength()));
    }
    long number = engine.nextFileNumber();
    Path path = FileNames.path(engine.directory(), FileNames.Kind.CHECKPOINT, number);
    Path tmp = FileNames.tmp(path);
    CheckpointMeta meta = new CheckpointMeta(flushedSequence, walStartNumber, number + 1, refs);
    working = tmp;
    try (CheckpointWriter writer = new CheckpointWriter(engine.vfs(), tmp, meta,
        BlockCodec.id(engine.options().compression()))) {
      addHeads(writer, slot);
      writer.finish();
    }
    // Before the checkpoint counts: the WALs it turns into history must be whole, and every commit
    // newer than the flushed sequence durable, since the checkpoint leaves out a key whose head is
    // newer than that, and a power failure must not take the older version with the newer.
    engine.syncWal();
    engine.vfs().rename(tmp, path);
    working = engine.directory();
    engine.vfs().syncDirectory(engine.directory());
    long previous = checkpointNumber;
    checkpointNumber = number;
    checkpointWalStart = walStartNumber;
    checkpoints++;
    retire(replacedSinceCheckpoint);
    replacedSinceCheckpoint.clear();
    if (previous > 0) {
      working = FileNames.path(engine.directory(), FileNames.Kind.CHECKPOINT, previous);
      engine.vfs().delete(working);
    }
  }

  /** Adds the head of every key at or below the flushed sequence (tombstones need no entry). */
  private void addHeads(CheckpointWriter writer, Map<Segment, Integer> slot) throws IOException {
    // A merge during the walk leaves it on the levels it started from: the old active map takes
    // no more writes, and the keys the new one takes are all newer than the flushed sequence.
    MergedIterator heads = engine.index().walk(null, null);
    while (heads.advance()) {
      mergeIfDue();
      Version head = heads.version();
      if (head.sequence > flushedSequence || head.isTombstone()) {
        continue;
      }
      Integer at = head.isStored() ? slot.get(head.segment) : null;
      if (at == null) {
        throw new IllegalStateException("key at sequence " + head.sequence + " is not in a live segment");
      }
      writer.add(heads.key(), head.sequence, at, head.blockOffset, head.recordOffset, head.valueLength);
    }
  }

  // ---------------------------------------------------------------- compaction

  /**
   * Compacts, then catches the checkpoint up (so that the replaced segments, and the WAL files that
   * retention allows, are deleted as soon as no snapshot reads them).
   */
  private void compact(boolean everySegmentWithGarbage) throws IOException {
    replacedSinceCheckpoint.addAll(compactSegments(everySegmentWithGarbage));
    checkpointIfBehind();
  }

  /**
   * Rewrites the live records of the segments worth compacting into new ones, and returns the
   * segments replaced (none if none was worth it). They stay on disk, and listed by the
   * checkpoint on disk, until the next checkpoint {@link #retire}s them.
   */
  private List<Segment> compactSegments(boolean everySegmentWithGarbage) throws IOException {
    if (everySegmentWithGarbage) {
      engine.index().settle(); // exact live bytes: every overwrite so far shows as garbage
    }
    double threshold = engine.options().compactionGarbageRatio();
    long smallBytes = engine.options().segmentBytes() / 8;
    List<Segment> victims = new ArrayList<>();
    List<Segment> small = new ArrayList<>();
    for (Segment s : segments) {
      double garbage = 1 - (double) s.liveBytes().get() / Math.max(1, s.rawBytes());
      if (everySegmentWithGarbage ? garbage > 0 : garbage >= threshold) {
        victims.add(s);
      } else if (s.fileLength() < smallBytes) {
        small.add(s);
      }
    }
    if (small.size() >= SMALL_SEGMENTS_TO_MERGE || (!victims.isEmpty() && !small.isEmpty())) {
      victims.addAll(small); // every flush makes a segment: merge the small ones
    }
    if (victims.isEmpty()) {
      return List.of();
    }
    Compactor compactor = new Compactor(engine, victims, this::mergeIfDue);
    List<Segment> outputs;
    try {
      outputs = compactor.run();
    } finally {
      if (compactor.working() != null) {
        working = compactor.working();
      }
    }
    List<Segment> next = new ArrayList<>(segments);
    next.removeAll(victims);
    next.addAll(outputs);
    segments = List.copyOf(next);
    compactions++;
    return victims;
  }

  /**
   * Queues segments that a checkpoint no longer lists for deletion, once every snapshot open now
   * (which may still read them) is closed.
   */
  private void retire(List<Segment> replaced) {
    long snapshotId = engine.index().nextSnapshotId();
    for (Segment v : replaced) {
      obsolete.add(new Obsolete(v, snapshotId));
    }
    if (!replaced.isEmpty()) {
      obsoletePending = true;
    }
  }

  // ---------------------------------------------------------------- cleanup

  /** Trims snapshot history and releases obsolete segments that no open snapshot can read. */
  private void cleanup() {
    engine.index().trimHistory();
    long oldestOpen = engine.index().oldestSnapshotId();
    for (int i = obsolete.size() - 1; i >= 0; i--) {
      Obsolete o = obsolete.get(i);
      if (oldestOpen >= o.snapshotId()) {
        obsolete.remove(i);
        engine.blockCache().evictSegment(o.segment().fileNumber());
        o.segment().markObsolete(engine.vfs());
        o.segment().release();
      }
    }
    obsoletePending = !obsolete.isEmpty();
  }
}
