package dev.cairn.store.internal.segment;

import dev.cairn.store.CorruptionException;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.util.Bytes;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads and verifies framed blocks. Every length is checked against the file before anything is
 * allocated, and every block's checksum is verified before its bytes are used. Stateless.
 */
public final class BlockReader {
  /** A verified block: its codec, record count, raw length and framed bytes (header included). */
  public record Framed(int codec, int recordCount, int rawLength, byte[] bytes) {
    /** Total bytes the block occupies in the file. */
    public int length() {
      return bytes.length;
    }

    /** Decompresses the block's content. */
    public byte[] decompress(Path path, long blockOffset) {
      try {
        return BlockCodec.decompress(codec, bytes, SegmentFormat.BLOCK_HEADER_BYTES,
            bytes.length - SegmentFormat.BLOCK_HEADER_BYTES, rawLength);
      } catch (IllegalArgumentException e) {
        throw new CorruptionException(path, blockOffset, e.getMessage(), e);
      }
    }
  }

  private BlockReader() {}

  /**
   * Reads the framed block at {@code blockOffset}, which must end at or before {@code dataEnd}.
   *
   * @throws CorruptionException if the block is out of bounds, malformed or fails its checksum
   */
  public static Framed readFramed(Path path, VfsFile file, long blockOffset, long dataEnd) throws IOException {
    checkHeaderInBounds(path, blockOffset, dataEnd);
    byte[] header = new byte[SegmentFormat.BLOCK_HEADER_BYTES];
    readFully(path, file, blockOffset, header, 0, header.length);
    int storedLength = checkHeader(path, header, blockOffset, dataEnd);
    byte[] bytes = new byte[SegmentFormat.BLOCK_HEADER_BYTES + storedLength];
    System.arraycopy(header, 0, bytes, 0, header.length);
    readFully(path, file, blockOffset + header.length, bytes, header.length, storedLength);
    checkCrc(path, bytes, blockOffset, storedLength);
    return new Framed(header[0] & 0xFF, Bytes.getInt(header, 1), Bytes.getInt(header, 5), bytes);
  }

  /** Reads, verifies and decompresses the block at {@code blockOffset}. */
  public static byte[] readRaw(Path path, VfsFile file, long blockOffset, long dataEnd) throws IOException {
    return readFramed(path, file, blockOffset, dataEnd).decompress(path, blockOffset);
  }

  /**
   * Reads, verifies and decompresses the block at {@code blockOffset}, as {@link #readRaw} does,
   * but reads header and stored bytes in one read of {@code guessBytes} (bounded by {@code
   * dataEnd}) when the block fits in it; a second read fetches the rest of a larger block.
   *
   * @return the raw content; {@link RawBlock#framedLength} tells the caller how long the block
   *     was, to guess better next time
   */
  public static RawBlock readRaw(Path path, VfsFile file, long blockOffset, long dataEnd, int guessBytes)
      throws IOException {
    checkHeaderInBounds(path, blockOffset, dataEnd);
    int first = (int) Math.min(dataEnd - blockOffset, Math.max(SegmentFormat.BLOCK_HEADER_BYTES, guessBytes));
    byte[] bytes = new byte[first];
    readFully(path, file, blockOffset, bytes, 0, first);
    int storedLength = checkHeader(path, bytes, blockOffset, dataEnd);
    int framedLength = SegmentFormat.BLOCK_HEADER_BYTES + storedLength;
    if (framedLength > first) {
      bytes = java.util.Arrays.copyOf(bytes, framedLength);
      readFully(path, file, blockOffset + first, bytes, first, framedLength - first);
    }
    checkCrc(path, bytes, blockOffset, storedLength);
    try {
      return new RawBlock(BlockCodec.decompress(bytes[0] & 0xFF, bytes, SegmentFormat.BLOCK_HEADER_BYTES,
          storedLength, Bytes.getInt(bytes, 5)), framedLength);
    } catch (IllegalArgumentException e) {
      throw new CorruptionException(path, blockOffset, e.getMessage(), e);
    }
  }

  /** A decompressed block and the bytes its frame takes in the file. */
  public record RawBlock(byte[] raw, int framedLength) {}

  private static void checkHeaderInBounds(Path path, long blockOffset, long dataEnd) {
    if (blockOffset < 0 || blockOffset + SegmentFormat.BLOCK_HEADER_BYTES > dataEnd) {
      throw new CorruptionException(path, blockOffset, "block header past the end of the block area " + dataEnd);
    }
  }

  /** Validates the block header at the start of {@code b}; returns its stored length. */
  private static int checkHeader(Path path, byte[] b, long blockOffset, long dataEnd) {
    int codec = b[0] & 0xFF;
    int recordCount = Bytes.getInt(b, 1);
    int rawLength = Bytes.getInt(b, 5);
    int storedLength = Bytes.getInt(b, 9);
    long available = dataEnd - blockOffset - SegmentFormat.BLOCK_HEADER_BYTES;
    if (codec > SegmentFormat.CODEC_ZSTD) {
      throw new CorruptionException(path, blockOffset, "unknown block codec " + codec);
    }
    if (rawLength < 0 || rawLength > SegmentFormat.MAX_RAW_BLOCK_BYTES) {
      throw new CorruptionException(path, blockOffset, "block raw length " + rawLength + " out of range");
    }
    if (storedLength < 0 || storedLength > available || storedLength > SegmentFormat.MAX_RAW_BLOCK_BYTES) {
      throw new CorruptionException(path, blockOffset,
          "block stored length " + storedLength + " exceeds the " + available + " bytes that remain");
    }
    if (recordCount <= 0 || recordCount > rawLength) {
      throw new CorruptionException(path, blockOffset, "block record count " + recordCount + " out of range");
    }
    return storedLength;
  }

  private static void checkCrc(Path path, byte[] bytes, long blockOffset, int storedLength) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, 0, 13);
    crc.update(bytes, SegmentFormat.BLOCK_HEADER_BYTES, storedLength);
    if ((int) crc.getValue() != Bytes.getInt(bytes, 13)) {
      throw new CorruptionException(path, blockOffset, "block checksum mismatch");
    }
  }

  static void readFully(Path path, VfsFile file, long offset, byte[] dst, int dstOffset, int length)
      throws IOException {
    try {
      file.read(offset, dst, dstOffset, length);
    } catch (EOFException e) {
      throw new CorruptionException(path, offset, "file ends inside a " + length + "-byte read", e);
    }
  }
}
