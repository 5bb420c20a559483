package dev.cairn.store.internal.feed;

import dev.cairn.store.ChangeHistoryLostException;
import dev.cairn.store.CorruptionException;
import dev.cairn.store.StoreIOException;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.util.Bytes;
import dev.cairn.store.internal.wal.WalFormat;
import dev.cairn.store.internal.wal.WalReader;
import dev.cairn.store.internal.wal.WalRecord;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Reads the commits after a sequence from the WAL files of a {@link WalHistory}, in order, one
 * file after another, never past the published end of the newest. Holds one open file and a read
 * buffer. Not thread-safe.
 */
final class HistoryReader implements AutoCloseable {
  private static final int CHUNK_BYTES = 256 * 1024;

  private final Vfs vfs;
  private final WalHistory history;
  private WalHistory.WalFile file;
  private VfsFile handle;
  private long offset;
  private long lastSequence;
  private byte[] buffer = new byte[CHUNK_BYTES];
  private long bufferStart;
  private int bufferLength;

  /** Positions the reader after commit {@code sequence}. */
  HistoryReader(Vfs vfs, WalHistory history, long sequence) {
    this.vfs = vfs;
    this.history = history;
    this.lastSequence = sequence;
    WalHistory.WalFile start = history.fileFor(sequence);
    if (start == null) {
      throw new ChangeHistoryLostException(sequence, history.oldestAvailable());
    }
    open(start);
  }

  /** The sequence of the last commit read (or skipped to). */
  long lastSequence() {
    return lastSequence;
  }

  /** The next published commit, or null if there is none yet. */
  WalRecord next() {
    for (;;) {
      WalHistory.Published published = history.published();
      if (file.number() > published.walNumber()) {
        // A WAL started by a rotation since the last publish: a group may be in it already, written
        // but not yet applied, and a commit counts only once published.
        return null;
      }
      boolean newest = file.number() == published.walNumber();
      long limit = newest ? published.endOffset() : olderWalEnd();
      if (offset < limit) {
        WalRecord record = readAt(limit);
        if (record == null || record.sequence() <= lastSequence) {
          continue; // a durability mark, or a commit before the start position
        }
        if (record.sequence() != lastSequence + 1) {
          throw new CorruptionException(file.path(), offset,
              "WAL history jumps from sequence " + lastSequence + " to " + record.sequence());
        }
        lastSequence = record.sequence();
        return record;
      }
      if (newest) {
        return null;
      }
      WalHistory.WalFile following = history.next(file.number());
      if (following == null) {
        return null; // the next WAL is being created
      }
      if (following.startSequence() > lastSequence + 1) {
        if (!history.holds(file.number())) {
          throw new ChangeHistoryLostException(lastSequence, history.oldestAvailable());
        }
        // Retention removes files oldest first: while this one is held, none after it was removed,
        // so a gap before the next one is damage.
        throw new CorruptionException(file.path(), offset, "WAL history ends at sequence " + lastSequence + " but "
            + following.path().getFileName() + " starts at " + following.startSequence() + ": records are missing");
      }
      closeHandle();
      open(following);
    }
  }

  /**
   * Where the records of the open file, older than the newest WAL, end. It was sealed before a
   * commit went into a later WAL, and its records end where the seal says: the file may run on in
   * preallocated zeros until the next sync cuts them. Once retention has dropped it from the
   * history (the cursor still holds it open), it was cut before: its size is its end.
   */
  private long olderWalEnd() {
    long sealedEnd = history.sealedEnd(file.number());
    if (sealedEnd >= 0) {
      return sealedEnd;
    }
    try {
      return handle.size();
    } catch (IOException e) {
      throw new StoreIOException("cannot read " + file.path(), e);
    }
  }

  /** The commit at {@code offset}, or null after skipping a durability mark. */
  private WalRecord readAt(long limit) {
    try {
      ensure(WalFormat.RECORD_HEADER_BYTES, limit);
      int at = (int) (offset - bufferStart);
      int payloadLength = Bytes.getInt(buffer, at);
      if (payloadLength < WalFormat.MIN_PAYLOAD_BYTES || payloadLength > WalFormat.MAX_PAYLOAD_BYTES
          || payloadLength > limit - offset - WalFormat.RECORD_HEADER_BYTES) {
        throw new CorruptionException(file.path(), offset, "WAL record length " + payloadLength + " out of range");
      }
      int total = WalFormat.RECORD_HEADER_BYTES + payloadLength;
      ensure(total, limit);
      at = (int) (offset - bufferStart);
      if (WalReader.isMark(buffer, at, total)) {
        offset += total;
        return null;
      }
      WalRecord record = WalReader.decodeVerified(buffer, at, total);
      if (record == null) {
        throw new CorruptionException(file.path(), offset, "damaged WAL record in the change history");
      }
      offset += total;
      return record;
    } catch (IOException e) {
      throw new StoreIOException("cannot read " + file.path(), e);
    }
  }

  /** Makes {@code [offset, offset + n)} available in the buffer; n is within the file's limit. */
  private void ensure(int n, long limit) throws IOException {
    if (offset >= bufferStart && offset + n <= bufferStart + bufferLength) {
      return;
    }
    if (n > buffer.length) {
      buffer = new byte[n];
    }
    int length = (int) Math.min(buffer.length, limit - offset);
    if (length < n) {
      throw new CorruptionException(file.path(), offset, "WAL record runs past the end of the file");
    }
    handle.read(offset, buffer, 0, length);
    bufferStart = offset;
    bufferLength = length;
  }

  private void open(WalHistory.WalFile f) {
    try {
      handle = vfs.open(f.path());
    } catch (NoSuchFileException e) {
      throw new ChangeHistoryLostException(lastSequence, history.oldestAvailable());
    } catch (IOException e) {
      throw new StoreIOException("cannot open " + f.path(), e);
    }
    file = f;
    offset = WalFormat.HEADER_BYTES;
    bufferLength = 0;
  }

  private void closeHandle() {
    try {
      if (handle != null) {
        handle.close();
      }
    } catch (IOException e) {
      // read-only handle: nothing to lose
    } finally {
      handle = null;
    }
  }

  @Override
  public void close() {
    closeHandle();
  }
}
