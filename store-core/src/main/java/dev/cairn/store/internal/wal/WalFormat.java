package dev.cairn.store.internal.wal;

import dev.cairn.store.internal.util.Bytes;
import java.nio.charset.StandardCharsets;

/**
 * Constants of the WAL file format; specified in docs/FORMAT.md, section "WAL files". Codes are
 * frozen: a retired code stays listed here so numbering never shifts.
 *
 * <pre>
 * file   := header record*
 * header := magic "CAIRNWAL" (8) | version u32 | crc32c(magic..version) u32          = 16 bytes
 * record := payloadLength u32 | crc32c(payloadLength bytes + payload) u32 | payload
 * payload:= commit | mark
 * commit := sequence u64 (&ge; 1) | opCount u32 | op*
 * op     := kind u8 (1 PUT, 2 DELETE) | keyLength varint | key | [valueLength varint | value]
 * mark   := zero u64 | walNumber u64 | walLength u64 (version 2 only)
 * </pre>
 * All fixed-width integers are big-endian. Version 1 files (no marks) are still read; writers
 * write version 2.
 */
public final class WalFormat {
  public static final byte[] MAGIC = "CAIRNWAL".getBytes(StandardCharsets.US_ASCII);
  /** The version writers write. */
  public static final int VERSION = 2;
  /** The oldest version readers accept: version 1 is version 2 without marks. */
  public static final int OLDEST_READABLE_VERSION = 1;
  public static final int HEADER_BYTES = 16;
  /** payloadLength + crc. */
  public static final int RECORD_HEADER_BYTES = 8;
  /** sequence + opCount. */
  public static final int MIN_PAYLOAD_BYTES = 12;
  /** Largest payload a writer produces; a reader treats a larger length as damage. */
  public static final int MAX_PAYLOAD_BYTES = 512 * 1024 * 1024;

  /**
   * Payload bytes of a durability mark: a zero where a commit has its sequence, then the number
   * and the fsynced length of an older WAL file.
   */
  public static final int MARK_PAYLOAD_BYTES = 24;

  public static final int OP_PUT = 1;
  public static final int OP_DELETE = 2;

  /** File name suffix. */
  public static final String SUFFIX = ".wal";

  private WalFormat() {}

  /** The 16-byte file header. */
  public static byte[] header() {
    byte[] h = new byte[HEADER_BYTES];
    System.arraycopy(MAGIC, 0, h, 0, 8);
    Bytes.putInt(h, 8, VERSION);
    Bytes.putInt(h, 12, Bytes.crc32c(h, 0, 12));
    return h;
  }

  /**
   * A durability mark, framed as a record: it says that WAL {@code walNumber} was fsynced whole,
   * {@code walLength} bytes, before the mark was appended to a later WAL.
   */
  public static byte[] mark(long walNumber, long walLength) {
    byte[] b = new byte[RECORD_HEADER_BYTES + MARK_PAYLOAD_BYTES];
    Bytes.putInt(b, 0, MARK_PAYLOAD_BYTES);
    Bytes.putLong(b, RECORD_HEADER_BYTES + 8, walNumber);
    Bytes.putLong(b, RECORD_HEADER_BYTES + 16, walLength);
    Bytes.putInt(b, 4, recordCrc(b, 0, MARK_PAYLOAD_BYTES));
    return b;
  }

  /** CRC of a record: covers its length field and its payload. */
  public static int recordCrc(byte[] b, int recordOffset, int payloadLength) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(b, recordOffset, 4);
    crc.update(b, recordOffset + RECORD_HEADER_BYTES, payloadLength);
    return (int) crc.getValue();
  }
}
