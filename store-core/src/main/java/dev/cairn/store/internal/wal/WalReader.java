package dev.cairn.store.internal.wal;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.util.Bytes;
import dev.cairn.store.internal.util.ByteSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads every record of one WAL file and tells a crash tail from corruption.
 *
 * <p>The rule (docs/FORMAT.md, "Recovery"): in a WAL that may end torn, a record that is incomplete
 * or fails its checksum is a torn tail, to be dropped, only if no valid record with a higher
 * sequence, and no valid durability mark, follows it anywhere in the file. A valid later record
 * means bytes in the middle were damaged: that is corruption. In a WAL known to be complete, any
 * bad record is corruption. Which WALs may end torn is the caller's call: the newest, and an older
 * one that no later WAL marks as durable.
 *
 * <p>A run of zeros from a record boundary to the end of the file is its end, in any WAL: a WAL
 * appended through a memory map is preallocated with zeros, and a crash of the process leaves that
 * tail (no record or mark starts with a zero length). Records it may have cut off show as a gap in
 * the sequences, which recovery checks across files.
 *
 * <p>Durability marks are returned apart from the commit records.
 */
public final class WalReader {
  /**
   * What a WAL file holds. {@code validEnd} is where its records end; {@code tornTail} says a
   * damaged record there was taken for a crash tail, {@code zeroTail} that only zeros follow (the
   * unwritten rest of a preallocated file).
   */
  public record Result(int version, List<WalRecord> records, List<Mark> marks, long validEnd, boolean tornTail,
      boolean zeroTail) {}

  /** A durability mark: WAL {@code walNumber} was fsynced whole, {@code walLength} bytes. */
  public record Mark(long walNumber, long walLength) {}

  /** The smallest record: header, sequence, count and one delete of an empty key. */
  static final int MIN_RECORD_BYTES = WalFormat.RECORD_HEADER_BYTES + WalFormat.MIN_PAYLOAD_BYTES + 2;

  private WalReader() {}

  /**
   * Reads {@code file}.
   *
   * @param newest whether the file may end in a torn tail (the newest WAL, or an older one that
   *     no later WAL marks as durable)
   * @param previousSequence the sequence of the last record before this file (0 if none)
   * @throws CorruptionException naming the file and offset of damage that is not a crash tail
   */
  public static Result read(Path path, VfsFile file, boolean newest, long previousSequence) throws IOException {
    return read(path, file, newest, previousSequence, previousSequence);
  }

  /**
   * Reads {@code file}, as {@link #read(Path, VfsFile, boolean, long)}, knowing that the sequences
   * of its records go on from about {@code sequenceBefore} (the last sequence recovered before it),
   * though records up to it are still accepted. Telling a torn tail from damage needs that
   * knowledge when the file's first record is the damaged one: the search for a valid record after
   * it only considers sequences a little above the last one known.
   */
  public static Result read(Path path, VfsFile file, boolean newest, long previousSequence, long sequenceBefore)
      throws IOException {
    long size = file.size();
    if (size > Integer.MAX_VALUE - 16) {
      throw new CorruptionException(path, 0, "WAL file of " + size + " bytes is larger than any WAL written");
    }
    byte[] b = new byte[(int) size];
    file.read(0, b, 0, b.length);
    return read(path, b, newest, previousSequence, sequenceBefore);
  }

  /** Reads a WAL file held in {@code b}; see {@link #read(Path, VfsFile, boolean, long)}. */
  public static Result read(Path path, byte[] b, boolean newest, long previousSequence) {
    return read(path, b, newest, previousSequence, previousSequence);
  }

  /** Reads a WAL file held in {@code b}; see {@link #read(Path, VfsFile, boolean, long, long)}. */
  public static Result read(Path path, byte[] b, boolean newest, long previousSequence, long sequenceBefore) {
    if (!validHeader(b)) {
      if (newest && tornHeader(b)) {
        return new Result(WalFormat.VERSION, List.of(), List.of(), 0, true, false);
      }
      if (b.length >= WalFormat.HEADER_BYTES && Arrays.equals(b, 0, 8, WalFormat.MAGIC, 0, 8)
          && Bytes.getInt(b, 12) == Bytes.crc32c(b, 0, 12)) {
        throw new CorruptionException(path, 8, "unsupported WAL version " + Bytes.getInt(b, 8));
      }
      throw new CorruptionException(path, 0, "bad WAL header");
    }
    int version = Bytes.getInt(b, 8);
    boolean marksAllowed = version >= 2;
    List<WalRecord> records = new ArrayList<>();
    List<Mark> marks = new ArrayList<>();
    long lastSequence = previousSequence;
    int pos = WalFormat.HEADER_BYTES;
    while (pos < b.length) {
      if (marksAllowed && isMark(b, pos, b.length - pos)) {
        marks.add(markAt(b, pos));
        pos += WalFormat.RECORD_HEADER_BYTES + WalFormat.MARK_PAYLOAD_BYTES;
        continue;
      }
      WalRecord record = tryRecordAt(b, pos, lastSequence);
      if (record == null) {
        if (allZero(b, pos)) {
          return new Result(version, records, marks, pos, false, true);
        }
        if (newest && !validRecordFollows(path, b, pos + 1, lastSequence, Math.max(lastSequence, sequenceBefore),
            marksAllowed)) {
          return new Result(version, records, marks, pos, true, false);
        }
        throw new CorruptionException(path, pos, describeDamage(b, pos, lastSequence));
      }
      records.add(record);
      lastSequence = record.sequence();
      pos += WalFormat.RECORD_HEADER_BYTES + Bytes.getInt(b, pos);
    }
    return new Result(version, records, marks, pos, false, false);
  }

  /**
   * Whether a complete, intact durability mark starts at {@code pos}, with at least {@code length}
   * bytes available from there. Only version 2 files hold marks.
   */
  public static boolean isMark(byte[] b, int pos, int length) {
    return length >= WalFormat.RECORD_HEADER_BYTES + WalFormat.MARK_PAYLOAD_BYTES
        && Bytes.getInt(b, pos) == WalFormat.MARK_PAYLOAD_BYTES
        && Bytes.getLong(b, pos + WalFormat.RECORD_HEADER_BYTES) == 0
        && WalFormat.recordCrc(b, pos, WalFormat.MARK_PAYLOAD_BYTES) == Bytes.getInt(b, pos + 4);
  }

  /**
   * The durability marks of a WAL file held in {@code b}, read by record framing alone (commits
   * are not checked), up to the first record whose length does not fit the file.
   */
  public static List<Mark> scanMarks(byte[] b) {
    List<Mark> marks = new ArrayList<>();
    int pos = WalFormat.HEADER_BYTES;
    while (b.length - pos >= WalFormat.RECORD_HEADER_BYTES) {
      if (isMark(b, pos, b.length - pos)) {
        marks.add(markAt(b, pos));
      }
      int payloadLength = Bytes.getInt(b, pos);
      if (payloadLength < WalFormat.MIN_PAYLOAD_BYTES || payloadLength > b.length - pos - WalFormat.RECORD_HEADER_BYTES) {
        break;
      }
      pos += WalFormat.RECORD_HEADER_BYTES + payloadLength;
    }
    return marks;
  }

  /** The durability mark at {@code pos}, which {@link #isMark} accepted. */
  private static Mark markAt(byte[] b, int pos) {
    return new Mark(Bytes.getLong(b, pos + WalFormat.RECORD_HEADER_BYTES + 8),
        Bytes.getLong(b, pos + WalFormat.RECORD_HEADER_BYTES + 16));
  }

  /**
   * Decodes the record of {@code length} bytes (header included) at {@code pos} if its checksum
   * and contents are valid; else null.
   */
  public static WalRecord decodeVerified(byte[] b, int pos, int length) {
    int payloadLength = length - WalFormat.RECORD_HEADER_BYTES;
    if (payloadLength < WalFormat.MIN_PAYLOAD_BYTES || Bytes.getInt(b, pos) != payloadLength
        || WalFormat.recordCrc(b, pos, payloadLength) != Bytes.getInt(b, pos + 4)) {
      return null;
    }
    try {
      return WalRecord.decodePayload(b, pos + WalFormat.RECORD_HEADER_BYTES, payloadLength);
    } catch (ByteSource.Truncated e) {
      return null;
    }
  }

  /** The record at {@code pos} if it is complete, intact and newer than {@code lastSequence}; else null. */
  static WalRecord tryRecordAt(byte[] b, int pos, long lastSequence) {
    if (b.length - pos < WalFormat.RECORD_HEADER_BYTES + WalFormat.MIN_PAYLOAD_BYTES) {
      return null;
    }
    int payloadLength = Bytes.getInt(b, pos);
    if (payloadLength < WalFormat.MIN_PAYLOAD_BYTES || payloadLength > WalFormat.MAX_PAYLOAD_BYTES
        || payloadLength > b.length - pos - WalFormat.RECORD_HEADER_BYTES) {
      return null;
    }
    long sequence = Bytes.getLong(b, pos + WalFormat.RECORD_HEADER_BYTES);
    if (sequence <= lastSequence) {
      return null;
    }
    if (WalFormat.recordCrc(b, pos, payloadLength) != Bytes.getInt(b, pos + 4)) {
      return null;
    }
    try {
      return WalRecord.decodePayload(b, pos + WalFormat.RECORD_HEADER_BYTES, payloadLength);
    } catch (ByteSource.Truncated e) {
      return null;
    }
  }

  /**
   * Whether a valid record follows a bad one. Sequences grow by one per record and a record takes
   * at least {@link #MIN_RECORD_BYTES}, so a real record d bytes further on has a sequence of at
   * most {@code knownSequence + 1 + d / MIN_RECORD_BYTES}, where {@code knownSequence} is the last
   * sequence before the bad record (for a file's first record, the last one recovered before the
   * file, not 0): that bound rejects almost every offset before any checksum is computed. The checksum work is capped as well; past the cap the reader
   * cannot prove the tail torn and reports damage rather than drop data silently.
   */
  private static boolean validRecordFollows(Path path, byte[] b, int from, long lastSequence, long knownSequence,
      boolean marksAllowed) {
    long checksumBudget = 8L * (b.length - from) + (64 << 20);
    for (int pos = from; pos + WalFormat.RECORD_HEADER_BYTES + WalFormat.MIN_PAYLOAD_BYTES <= b.length; pos++) {
      int payloadLength = Bytes.getInt(b, pos);
      if (payloadLength < WalFormat.MIN_PAYLOAD_BYTES || payloadLength > b.length - pos - WalFormat.RECORD_HEADER_BYTES) {
        continue;
      }
      long sequence = Bytes.getLong(b, pos + WalFormat.RECORD_HEADER_BYTES);
      if (sequence == 0 && marksAllowed && payloadLength == WalFormat.MARK_PAYLOAD_BYTES) {
        checksumBudget -= payloadLength;
        if (isMark(b, pos, b.length - pos)) {
          return true; // a mark is written after records, never torn off with them
        }
        continue;
      }
      if (sequence <= lastSequence || sequence > knownSequence + 1 + (pos - from + 1) / MIN_RECORD_BYTES + 1) {
        continue;
      }
      checksumBudget -= payloadLength;
      if (checksumBudget < 0) {
        throw new CorruptionException(path, from - 1,
            "damaged WAL record; the bytes after it are too ambiguous to prove it a torn tail");
      }
      if (tryRecordAt(b, pos, lastSequence) != null) {
        return true;
      }
    }
    return false;
  }

  private static String describeDamage(byte[] b, int pos, long lastSequence) {
    if (b.length - pos >= WalFormat.RECORD_HEADER_BYTES + WalFormat.MIN_PAYLOAD_BYTES) {
      int payloadLength = Bytes.getInt(b, pos);
      long sequence = Bytes.getLong(b, pos + WalFormat.RECORD_HEADER_BYTES);
      if (payloadLength >= WalFormat.MIN_PAYLOAD_BYTES
          && payloadLength <= b.length - pos - WalFormat.RECORD_HEADER_BYTES
          && WalFormat.recordCrc(b, pos, payloadLength) == Bytes.getInt(b, pos + 4)
          && sequence <= lastSequence) {
        return "WAL record sequence " + sequence + " does not follow " + lastSequence;
      }
    }
    return "damaged WAL record (bad length, checksum or contents)";
  }

  /**
   * Whether {@code b} is a header whose write never completed: fewer than its 16 bytes, or a
   * prefix of the header a new WAL is given followed by zeros only (the preallocated rest of a
   * memory-mapped file; with an empty prefix, a file of zeros).
   */
  private static boolean tornHeader(byte[] b) {
    if (b.length < WalFormat.HEADER_BYTES) {
      return true;
    }
    byte[] header = WalFormat.header();
    int written = 0;
    while (written < header.length && b[written] == header[written]) {
      written++;
    }
    return allZero(b, written);
  }

  private static boolean validHeader(byte[] b) {
    return b.length >= WalFormat.HEADER_BYTES
        && Arrays.equals(b, 0, 8, WalFormat.MAGIC, 0, 8)
        && Bytes.getInt(b, 8) >= WalFormat.OLDEST_READABLE_VERSION && Bytes.getInt(b, 8) <= WalFormat.VERSION
        && Bytes.getInt(b, 12) == Bytes.crc32c(b, 0, 12);
  }

  private static boolean allZero(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
