package dev.cairn.store.internal.segment;

import java.nio.charset.StandardCharsets;

/**
 * Constants of segment files and of the block framing that segments and checkpoints share;
 * specified in docs/FORMAT.md, sections "Blocks" and "Segment files". Codes are frozen.
 *
 * <pre>
 * segment := header block* footer
 * header  := magic "CAIRNSEG" (8) | version u32 | crc32c(magic..version) u32             = 16 bytes
 * block   := codec u8 | recordCount u32 | rawLength u32 | storedLength u32
 *            | crc32c(codec..storedLength + stored bytes) u32 | stored bytes            (17 + n)
 * record  := sequence varint | valueLength varint | value                           (raw block content)
 *            version 1: sequence u64 | keyLength varint | key | valueLength varint | value
 * footer  := dataEnd u64 | blockCount u32 | recordCount u32 | rawBytes u64
 *            | magic "CAIRNEND" (8) | crc32c(dataEnd..magic) u32                         = 36 bytes
 * </pre>
 */
public final class SegmentFormat {
  public static final byte[] MAGIC = "CAIRNSEG".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] END_MAGIC = "CAIRNEND".getBytes(StandardCharsets.US_ASCII);
  /** The version writers write: records without keys. */
  public static final int VERSION = 2;
  /** The first version, still read: records that hold their keys. */
  public static final int VERSION_1 = 1;
  public static final int HEADER_BYTES = 16;
  public static final int FOOTER_BYTES = 36;
  public static final int BLOCK_HEADER_BYTES = 17;

  /** Codec ids of blocks. */
  public static final int CODEC_NONE = 0;
  public static final int CODEC_LZ4 = 1;
  public static final int CODEC_ZSTD = 2;

  /**
   * Largest raw block a writer produces: a block is sealed once it reaches its target (at most
   * 1 MiB), so it holds at most 1 MiB - 1 bytes plus one maximal record (16 MiB + 16 399 bytes).
   * A reader treats a larger rawLength as damage, so a corrupted length never drives an allocation.
   */
  public static final int MAX_RAW_BLOCK_BYTES = 18 * 1024 * 1024;

  public static final String SUFFIX = ".seg";

  private SegmentFormat() {}
}
