package dev.cairn.store.internal.engine;

import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Cursor;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Snapshot;
import dev.cairn.store.Store;
import dev.cairn.store.StoreClosedException;
import dev.cairn.store.StoreException;
import dev.cairn.store.StoreFailedException;
import dev.cairn.store.StoreIOException;
import dev.cairn.store.StoreLockedException;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.StoreStats;
import dev.cairn.store.WriteBatch;
import dev.cairn.store.internal.feed.FeedCursor;
import dev.cairn.store.internal.feed.WalHistory;
import dev.cairn.store.internal.fs.CountingVfs;
import dev.cairn.store.internal.fs.NioVfs;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.index.KeyIndex;
import dev.cairn.store.internal.index.Version;
import dev.cairn.store.internal.segment.Segment;
import dev.cairn.store.internal.segment.SegmentRecord;
import dev.cairn.store.internal.wal.WalFormat;
import dev.cairn.store.internal.wal.WalRecord;
import dev.cairn.store.internal.wal.WalWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * The {@link Store} implementation: it wires the WAL, the group-commit pipeline, the in-memory
 * index, the segments and the maintenance thread together.
 *
 * <h2>Write path</h2>
 * A write is encoded on the caller's thread, then committed by the {@link CommitPipeline}: one
 * leader writes a group of commits to the WAL, fsyncs when the durability asks for it, and applies
 * them to the {@link KeyIndex}, where new values stay in memory. When the WAL passes {@code
 * walRotateBytes} the leader starts a new one and hands the old generation to {@link Maintenance},
 * which packs its values into a segment and, once enough WAL has been packed, checkpoints the
 * index. The old WAL is fsynced off the write path, by {@link #syncWal()}.
 *
 * <h2>Read path</h2>
 * A point read looks the key up in the index: a value in memory is returned at once; a stored one
 * costs at most one block read (none when the {@link BlockCache} has the block). A read that finds
 * its segment already released by compaction retries: the index then points at the new copy.
 *
 * <h2>Threads</h2>
 * Callers' threads read, and lead write groups; a writer thread leads groups of async commits; a
 * maintenance thread flushes and compacts; under periodic durability a sync thread fsyncs the WAL.
 * No caller thread ever does I/O through an interruptible channel, so interrupting a caller never
 * closes a file that others use.
 */
public final class StoreEngine implements Store {
  private static final int UPDATE_STRIPES = 64;
  private static final long CLOSE_FLUSH_WAL_BYTES = 1 << 20;
  private static final int MAX_PENDING_FLUSHES = 2;
  /** An idle store flushes its WAL once that holds {@code walRotateBytes} divided by this (see {@link #flushIfIdle}). */
  private static final long IDLE_FLUSH_DIVISOR = 8;

  private final Path dir;
  private final StoreOptions options;
  private final CountingVfs vfs;
  private final Closeable dirLock;
  private final KeyIndex index;
  private final BlockCache blockCache;
  private final AtomicLong fileNumbers;
  private final ReentrantLock[] updateLocks = new ReentrantLock[UPDATE_STRIPES];
  private final Object walLock = new Object();
  private volatile WalWriter wal; // replaced by the group-commit leader, under walLock
  /** Sealed WALs not yet fsynced, marked durable and closed, oldest first; under walLock. */
  private final List<WalWriter> sealedWals = new ArrayList<>();
  /** Held by one {@link #syncWal()} at a time: only it closes sealed WALs. */
  private final Object syncLock = new Object();
  private long walFrom; // first WAL of the current generation; leader only
  private Maintenance maintenance;
  private WalHistory history;
  private CommitPipeline pipeline;
  private ScheduledExecutorService syncer;
  private volatile boolean closed;

  private StoreEngine(Path dir, StoreOptions options, CountingVfs vfs, Closeable dirLock, KeyIndex index,
      long nextFileNumber) {
    this.dir = dir;
    this.options = options;
    this.vfs = vfs;
    this.dirLock = dirLock;
    this.index = index;
    this.blockCache = new BlockCache(options.blockCacheBytes());
    this.fileNumbers = new AtomicLong(nextFileNumber);
    for (int i = 0; i < updateLocks.length; i++) {
      updateLocks[i] = new ReentrantLock();
    }
  }

  /** Opens (creating or recovering) the store in {@code dir}. */
  public static Store open(Path dir, StoreOptions options) {
    return open(dir, options, new NioVfs());
  }

  /** Opens the store in {@code dir} through {@code fileSystem}. */
  public static Store open(Path dir, StoreOptions options, Vfs fileSystem) {
    Path directory = dir.toAbsolutePath().normalize();
    CountingVfs vfs = new CountingVfs(fileSystem);
    Closeable lock;
    try {
      createDurably(vfs, directory);
      lock = vfs.tryLock(directory.resolve(FileNames.LOCK));
    } catch (IOException e) {
      throw new StoreIOException("cannot open store directory " + directory, e);
    }
    if (lock == null) {
      throw new StoreLockedException("store " + directory + " is already open (in this or another process)");
    }
    try {
      KeyIndex index = new KeyIndex();
      Recovery.State state = Recovery.run(vfs, directory, index);
      StoreEngine engine = new StoreEngine(directory, options, vfs, lock, index, state.nextFileNumber());
      engine.start(state);
      return engine;
    } catch (IOException e) {
      closeQuietly(lock, e);
      throw new StoreIOException("cannot open store " + directory + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      closeQuietly(lock, e);
      throw e;
    }
  }

  /**
   * Creates {@code directory} and its missing parents, and syncs the parent of each one created, so
   * that a new store's directory entry is as durable as the files written into it.
   */
  private static void createDurably(Vfs vfs, Path directory) throws IOException {
    ArrayDeque<Path> created = new ArrayDeque<>();
    for (Path p = directory; p.getParent() != null && !vfs.exists(p); p = p.getParent()) {
      created.push(p);
    }
    vfs.createDirectories(directory);
    for (Path p : created) {
      vfs.syncDirectory(p.getParent());
    }
  }

  private static void closeQuietly(Closeable c, Throwable failure) {
    try {
      c.close();
    } catch (IOException suppressed) {
      failure.addSuppressed(suppressed);
    }
  }

  /**
   * Whether WALs are appended through a memory map: under periodic durability, where a commit
   * costs no system call then. Under {@code SYNC} each commit's fsync costs far more than its
   * write; the WAL is written into preallocated space, where that sync is an fdatasync.
   */
  private boolean mappedWal() {
    return !options.durability().isSync();
  }

  private void start(Recovery.State state) throws IOException {
    List<Recovery.WalFile> wals = state.wals();
    Recovery.WalFile newest = wals.isEmpty() ? null : wals.get(wals.size() - 1);
    if (newest != null && newest.number() >= state.walStartNumber()) {
      wal = WalWriter.reopen(vfs, FileNames.path(dir, FileNames.Kind.WAL, newest.number()), newest.number(),
          newest.version(), newest.holdsCommits(), mappedWal());
    } else {
      long number = nextFileNumber();
      wal = WalWriter.create(vfs, FileNames.path(dir, FileNames.Kind.WAL, number), number, mappedWal());
    }
    for (Recovery.WalFile f : wals) { // recovery fsynced the WALs it replayed: mark them durable
      if (f.number() >= state.walStartNumber() && f.number() < wal.number()) {
        wal.appendMark(f.number(), f.length());
      }
    }
    wal.sync();
    walFrom = wal.number();
    history = new WalHistory(dir.getFileName().toString(),
        new WalHistory.Published(wal.number(), wal.size(), state.lastSequence()));
    for (Recovery.WalFile f : wals) {
      history.added(f.number(), FileNames.path(dir, FileNames.Kind.WAL, f.number()), f.startSequence());
      if (f.number() < wal.number()) {
        history.sealed(f.number(), f.length());
      }
      if (f.number() >= state.walStartNumber()) {
        walFrom = Math.min(walFrom, f.number());
      }
    }
    history.added(wal.number(), wal.path(), newest != null && newest.number() == wal.number()
        ? newest.startSequence() : state.lastSequence() + 1);
    maintenance = new Maintenance(this, state.segments(), state.flushedSequence(), state.walStartNumber(),
        state.checkpointNumber());
    pipeline = new CommitPipeline(this, options.durability().isSync());
    maintenance.scheduleRetention(); // after the pipeline exists: a failed retention latches it
    maintenance.scheduleIdleMerges(); // recovery merged as it replayed: no merge is due yet
    if (!options.durability().isSync()) {
      long periodMillis = Math.max(1, options.durability().interval().toMillis());
      syncer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cairn-sync-" + dir.getFileName());
        t.setDaemon(true);
        return t;
      });
      syncer.scheduleWithFixedDelay(this::periodicSync, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }
  }

  // ---------------------------------------------------------------- engine internals

  StoreOptions options() {
    return options;
  }

  Vfs vfs() {
    return vfs;
  }

  KeyIndex index() {
    return index;
  }

  Maintenance maintenance() {
    return maintenance;
  }

  BlockCache blockCache() {
    return blockCache;
  }

  CommitPipeline pipeline() {
    return pipeline;
  }

  WalWriter wal() {
    return wal;
  }

  long nextFileNumber() {
    return fileNumbers.getAndIncrement();
  }

  WalHistory history() {
    return history;
  }

  /**
   * Called by the group-commit leader after each group is applied: publishes it to change
   * cursors, and rotates the WAL when it is full.
   */
  void afterCommit(WalWriter current, long lastSequence) {
    history.publish(current.number(), current.size(), lastSequence);
    if (index.wantsMerge()) {
      maintenance.scheduleMerge();
    }
    if (current.size() >= options.walRotateBytes()) {
      rotateWal(true);
    }
  }

  /**
   * Starts a new WAL and hands the current one to maintenance for a flush, if it holds at least
   * {@code walRotateBytes / IDLE_FLUSH_DIVISOR}. Maintenance calls it once the store has taken no
   * commit for a check period. The rotation runs on the leader, as every rotation does, queued
   * as an asynchronous barrier so that the maintenance thread, which the rotation may wait for,
   * does not wait for it.
   */
  void flushIfIdle() {
    long minBytes = options.walRotateBytes() / IDLE_FLUSH_DIVISOR;
    if (wal.size() < minBytes) {
      return;
    }
    try {
      pipeline.commitAsync(Commit.asyncBarrier(() -> rotateWalHolding(minBytes), new CompletableFuture<>()));
    } catch (StoreClosedException | StoreFailedException e) {
      // closing (close flushes) or failed (reported to writers): nothing to do here
    }
  }

  /** Rotates the WAL if it holds a commit and is at least {@code minBytes} long; on the leader, in a barrier. */
  private void rotateWalHolding(long minBytes) {
    if (wal.holdsCommits() && wal.size() >= minBytes) {
      rotateWal(true);
    }
  }

  /**
   * Starts a new WAL and hands the current generation to maintenance. Runs on the leader (or
   * during close, when no leader is left). Under periodic durability the old WAL is not fsynced
   * here: {@link #syncWal()} fsyncs sealed WALs, oldest first, before the current one, and marks
   * each in the current WAL, so that recovery can tell a WAL cut by a power failure from a damaged
   * one.
   */
  private void rotateWal(boolean startNew) {
    WalWriter old = wal;
    Path at = old.path(); // the file being worked on, for the error message
    try {
      if (options.durability().isSync()) {
        // The leader fsyncs the new WAL per commit, so the old one must be whole first. Its
        // commits are fsynced already; a mark appended since may not be.
        old.sync();
      }
      WalWriter next = null;
      long lastSequence = index.visibleSequence();
      if (startNew) {
        long number = nextFileNumber();
        at = FileNames.path(dir, FileNames.Kind.WAL, number);
        next = WalWriter.create(vfs, at, number, mappedWal());
        if (old.synced()) {
          next.appendMark(old); // whole on disk already (always under SYNC): mark it at once
        }
        history.added(number, next.path(), lastSequence + 1);
        at = old.path();
      }
      List<byte[]> keys = index.takeMemKeys();
      synchronized (walLock) {
        if (next != null) {
          // Under the lock that durability marks are appended under: none can follow the seal.
          old.seal();
          wal = next;
          sealedWals.add(old);
        } // else the store is closing: old stays the current WAL, which closeWals() closes
      }
      history.sealed(old.number(), old.size());
      maintenance.scheduleFlush(new Generation(walFrom, old.number(), lastSequence, keys));
      if (next != null) {
        walFrom = next.number();
      }
    } catch (IOException e) {
      pipeline.latch(new StoreIOException("WAL rotation failed at " + at + ": " + e.getMessage(), e));
      return;
    }
    while (maintenance.pendingFlushes() > MAX_PENDING_FLUSHES && pipeline.failure() == null) {
      LockSupport.parkNanos(1_000_000); // writers outrun flushing: hold them back
    }
  }

  private void periodicSync() {
    try {
      syncWal();
    } catch (StoreException e) {
      // latched; the next write reports it
    }
  }

  /**
   * Makes every commit appended so far durable: cuts the sealed WALs back to their records and
   * fsyncs them, oldest first, appends a durability mark for each to the current WAL and closes
   * them, then fsyncs the WAL that was current when the call began. A WAL is thus never fsynced
   * before an older one, and a mark is only written for a WAL that is whole on disk.
   */
  void syncWal() {
    synchronized (syncLock) {
      WalWriter target;
      WalWriter[] sealed;
      synchronized (walLock) {
        target = wal;
        sealed = sealedWals.toArray(new WalWriter[0]);
      }
      WalWriter at = null; // the file being worked on, and what was done to it, for the error message
      String doing = "fsync of ";
      try {
        for (WalWriter w : sealed) {
          at = w;
          doing = "cut of the preallocated tail of ";
          w.cutTail(); // before the fsync, which would otherwise write the zeros out
          doing = "fsync of ";
          w.sync();
        }
        if (sealed.length > 0) {
          synchronized (walLock) {
            at = wal;
            doing = "durability mark append to ";
            for (WalWriter w : sealed) {
              if (!w.marked()) {
                wal.appendMark(w);
              }
            }
            sealedWals.subList(0, sealed.length).clear();
          }
          doing = "close of ";
          for (WalWriter w : sealed) {
            at = w;
            w.close();
          }
        }
        at = target;
        doing = "fsync of ";
        target.sync();
      } catch (IOException e) {
        throw pipeline.latch(new StoreIOException(doing + at.path() + " failed: " + e.getMessage(), e));
      }
    }
  }

  /** Closes every WAL still open, when the store closes. */
  private void closeWals() {
    synchronized (syncLock) {
      synchronized (walLock) {
        if (!sealedWals.contains(wal)) {
          sealedWals.add(wal);
        }
        for (WalWriter w : sealedWals) {
          try {
            w.close();
          } catch (IOException e) {
            // synced in close() (or that failed, reported there); closing cannot lose more
          }
        }
        sealedWals.clear();
      }
    }
  }

  /** Reads a stored version's value; null if its segment was released meanwhile (the caller retries). */
  byte[] readStored(byte[] key, Version v) {
    byte[] raw = storedBlock(v);
    return raw == null ? null : SegmentRecord.valueOf(v.segment, v.blockOffset, raw, v.recordOffset, v.sequence, key);
  }

  /** The decompressed block that holds stored version {@code v}; null if its segment was released meanwhile. */
  byte[] storedBlock(Version v) {
    Segment segment = v.segment;
    byte[] raw = blockCache.get(segment.fileNumber(), v.blockOffset);
    if (raw == null) {
      if (!segment.tryAcquire()) {
        return null;
      }
      try {
        raw = segment.readBlock(v.blockOffset);
      } catch (IOException e) {
        throw new StoreIOException("read of " + segment.path() + " at " + v.blockOffset + " failed", e);
      } finally {
        segment.release();
      }
      blockCache.put(segment.fileNumber(), v.blockOffset, raw);
    }
    return raw;
  }

  /** The value of {@code v} (a copy), reading it from its segment if needed; null if it must be looked up again. */
  byte[] valueOf(byte[] key, Version v) {
    if (v.isInMemory()) {
      return v.copyOfValue();
    }
    return readStored(key, v);
  }

  void checkOpen() {
    if (closed) {
      throw new StoreClosedException("store " + dir + " is closed");
    }
  }

  boolean isClosed() {
    return closed;
  }

  // ---------------------------------------------------------------- Store: reads

  @Override
  public Path directory() {
    return dir;
  }

  @Override
  public byte[] get(byte[] key) {
    WriteBatch.checkKey(key);
    checkOpen();
    for (;;) {
      Version v = index.head(key);
      if (v == null || v.isTombstone()) {
        return null;
      }
      byte[] value = valueOf(key, v);
      if (value != null) {
        return value;
      }
    }
  }

  /** The live head of {@code key} and its value, read consistently: {@code value} null when absent. */
  private record Current(Version head, byte[] value) {
    long liveSequence() {
      return Commit.liveSequence(head);
    }
  }

  private Current current(byte[] key) {
    for (;;) {
      Version v = index.head(key);
      if (v == null || v.isTombstone()) {
        return new Current(v, null);
      }
      byte[] value = valueOf(key, v);
      if (value != null) {
        return new Current(v, value);
      }
    }
  }

  @Override
  public Cursor scan(KeyRange range) {
    java.util.Objects.requireNonNull(range, "range");
    checkOpen();
    return new SnapshotCursor(this, index.registerSnapshot(), range, true);
  }

  @Override
  public Snapshot snapshot() {
    checkOpen();
    return new StoreSnapshot(this, index.registerSnapshot());
  }

  /** Called when a snapshot or cursor closes: lets maintenance trim history and release files. */
  void snapshotClosed(KeyIndex.Registration registration) {
    index.unregisterSnapshot(registration);
    if (!closed) {
      maintenance.scheduleCleanup();
    }
  }

  @Override
  public ChangeCursor changes(ChangeQuery query) {
    java.util.Objects.requireNonNull(query, "query");
    checkOpen();
    KeyRange range = query.keyRange();
    if (query.isSnapshotThenTail()) {
      KeyIndex.Registration registration = index.registerSnapshot();
      SnapshotCursor entries = new SnapshotCursor(this, registration, range, true);
      return new FeedCursor(vfs, history, entries, registration.sequence(), range, this::isClosed);
    }
    long last = index.visibleSequence();
    long after = query.isFromNow() ? last : query.afterSequence();
    if (after > last) {
      throw new IllegalArgumentException("cannot resume after sequence " + after + ": the last commit is " + last);
    }
    return new FeedCursor(vfs, history, after, range, this::isClosed);
  }

  @Override
  public long lastSequence() {
    checkOpen();
    return index.visibleSequence();
  }

  // ---------------------------------------------------------------- Store: writes

  @Override
  public long put(byte[] key, byte[] value) {
    WriteBatch.checkKey(key);
    WriteBatch.checkValue(value);
    checkOpen();
    // The record copies the value; the index keeps that copy, so the caller's array is read only here.
    return pipeline.commit(new Commit(WalRecord.encodeSingle(key.clone(), value), null, 0, null));
  }

  @Override
  public boolean delete(byte[] key) {
    WriteBatch batch = WriteBatch.create().delete(key);
    checkOpen();
    WalRecord record = WalRecord.encode(batch);
    for (;;) {
      Version head = index.head(key);
      long expected = Commit.liveSequence(head);
      if (expected == 0) {
        return false;
      }
      if (pipeline.commit(new Commit(record, key, expected, null)) != Commit.REJECTED) {
        return true;
      }
    }
  }

  @Override
  public boolean compareAndSet(byte[] key, byte[] expected, byte[] newValue) {
    WriteBatch batch = newValue == null ? WriteBatch.create().delete(key) : WriteBatch.create().put(key, newValue);
    if (expected != null) {
      WriteBatch.checkValue(expected);
    }
    checkOpen();
    WalRecord record = WalRecord.encode(batch);
    for (;;) {
      Current current = current(key);
      if (!Arrays.equals(current.value(), expected)) {
        return false;
      }
      if (expected == null && newValue == null) {
        return true;
      }
      if (pipeline.commit(new Commit(record, key, current.liveSequence(), null)) != Commit.REJECTED) {
        return true;
      }
    }
  }

  @Override
  public byte[] update(byte[] key, UnaryOperator<byte[]> fn) {
    WriteBatch.checkKey(key);
    java.util.Objects.requireNonNull(fn, "fn");
    checkOpen();
    ReentrantLock stripe = updateLocks[(Arrays.hashCode(key) & 0x7FFFFFFF) % UPDATE_STRIPES];
    stripe.lock();
    try {
      for (;;) {
        Current current = current(key);
        byte[] next = fn.apply(current.value() == null ? null : current.value().clone());
        if (Arrays.equals(next, current.value())) {
          return next;
        }
        if (next == null && current.value() == null) {
          return null;
        }
        if (next != null) {
          WriteBatch.checkValue(next);
        }
        WalRecord record = WalRecord.encodeSingle(key.clone(), next);
        Commit commit = new Commit(record, key, current.liveSequence(), null);
        if (pipeline.commit(commit) != Commit.REJECTED) {
          return next == null ? null : next.clone();
        }
      }
    } finally {
      stripe.unlock();
    }
  }

  @Override
  public long write(WriteBatch batch) {
    java.util.Objects.requireNonNull(batch, "batch");
    checkOpen();
    if (batch.isEmpty()) {
      return index.visibleSequence();
    }
    return pipeline.commit(new Commit(WalRecord.encode(batch), null, 0, null));
  }

  @Override
  public CompletableFuture<Long> writeAsync(WriteBatch batch) {
    java.util.Objects.requireNonNull(batch, "batch");
    CompletableFuture<Long> future = new CompletableFuture<>();
    try {
      checkOpen();
      if (batch.isEmpty()) {
        future.complete(index.visibleSequence());
        return future;
      }
      pipeline.commitAsync(new Commit(WalRecord.encode(batch), null, 0, future));
    } catch (StoreException e) {
      future.completeExceptionally(e);
    }
    return future;
  }

  // ---------------------------------------------------------------- Store: maintenance

  @Override
  public void flush() {
    checkOpen();
    syncWal();
    Throwable failure = pipeline.failure();
    if (failure != null) {
      throw pipeline.latch(failure instanceof StoreException ? (StoreException) failure
          : new StoreException("store failed", failure));
    }
  }

  @Override
  public void compact() {
    checkOpen();
    pipeline.commit(Commit.barrier(() -> rotateWalHolding(0)));
    try {
      maintenance.scheduleCompaction(true).join();
    } catch (CompletionException e) {
      // the maintenance thread classified the failure (and latched the store if it must)
      Throwable cause = e.getCause();
      throw cause instanceof StoreException ? (StoreException) cause
          : new StoreException("compaction failed: " + cause, cause);
    }
  }

  @Override
  public StoreStats stats() {
    checkOpen();
    long[] counts = index.counts();
    List<Segment> segments = maintenance.segments();
    long segmentBytes = 0;
    long rawBytes = 0;
    long storedBytes = 0;
    long liveRecordBytes = 0;
    for (Segment s : segments) {
      segmentBytes += s.fileLength();
      rawBytes += s.rawBytes();
      storedBytes += s.dataEnd() - 16 - 17L * s.blockCount();
      liveRecordBytes += s.liveBytes().get();
    }
    long walBytes = 0;
    long fileBytes = 0;
    try {
      for (String name : vfs.list(dir)) {
        long size;
        try {
          size = vfs.size(dir.resolve(name));
        } catch (java.nio.file.NoSuchFileException e) {
          continue; // deleted by maintenance since the listing
        }
        fileBytes += size;
        if (FileNames.parse(name, FileNames.Kind.WAL) >= 0) {
          walBytes += size;
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list " + dir, e);
    }
    double garbage = rawBytes == 0 ? 0 : Math.max(0, 1 - (double) liveRecordBytes / rawBytes);
    double compression = storedBytes <= 0 ? 1 : (double) rawBytes / storedBytes;
    return new StoreStats(counts[0], counts[1], fileBytes, walBytes, segments.size(), segmentBytes,
        garbage, compression, vfs.syncCount(), maintenance.compactions(), index.visibleSequence());
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    pipeline.close();
    history.close();
    if (syncer != null) {
      syncer.shutdownNow();
    }
    StoreException failure = null;
    if (pipeline.failure() == null) {
      try {
        syncWal();
        if (wal.size() >= CLOSE_FLUSH_WAL_BYTES) {
          rotateWal(false);
        }
      } catch (StoreException e) {
        failure = e; // reported once the threads are stopped and the lock released
      }
    }
    maintenance.close();
    closeWals();
    for (Segment s : maintenance.segments()) {
      s.release();
    }
    try {
      dirLock.close();
    } catch (IOException e) {
      StoreIOException unlockFailure = new StoreIOException("cannot release the lock of " + dir, e);
      if (failure == null) {
        throw unlockFailure;
      }
      failure.addSuppressed(unlockFailure);
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "Store[" + dir + "]";
  }
}
