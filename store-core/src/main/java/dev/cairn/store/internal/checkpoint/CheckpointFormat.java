package dev.cairn.store.internal.checkpoint;

import java.nio.charset.StandardCharsets;

/**
 * Constants of checkpoint files; specified in docs/FORMAT.md, section "Checkpoint files". Codes are
 * frozen.
 *
 * <pre>
 * checkpoint := header meta block* footer
 * header     := magic "CAIRNCKP" (8) | version u32 | crc32c(magic..version) u32           = 16 bytes
 * meta       := metaLength u32 | crc32c(body) u32 | body
 * body       := lastSequence u64 | walStartNumber u64 | nextFileNumber u64
 *               | segmentCount u32 | (fileNumber u64 | fileLength u64)*segmentCount
 * block      := the framing of docs/FORMAT.md "Blocks"; raw content is entry*
 * entry      := sharedPrefix varint | suffixLength varint | suffix | sequence varint
 *               | slot varint | blockDelta zigzag | recordDelta zigzag | valueLength varint
 *               (version 1: segmentIndex varint | blockOffset varint | recordOffset varint
 *               in place of slot and deltas)
 * footer     := dataEnd u64 | blockCount u32 | entryCount u64 | magic "CAIRNEND" (8)
 *               | crc32c(dataEnd..magic) u32                                                 = 32 bytes
 * </pre>
 * Keys are in ascending order; sharedPrefix counts bytes shared with the previous key of the same
 * block (0 for a block's first entry). slot = segmentIndex × 4 + cursor; the deltas code a
 * record's location against that cursor of the segment in the same block ({@code EntryLocations}).
 */
public final class CheckpointFormat {
  public static final byte[] MAGIC = "CAIRNCKP".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] END_MAGIC = "CAIRNEND".getBytes(StandardCharsets.US_ASCII);
  /** The version writers write: locations coded as deltas. */
  public static final int VERSION = 2;
  /** The first version, still read: absolute locations. */
  public static final int VERSION_1 = 1;
  public static final int HEADER_BYTES = 16;
  public static final int FOOTER_BYTES = 32;
  /** Meta bodies are small: one segment takes 16 bytes. A larger metaLength is damage. */
  public static final int MAX_META_BYTES = 64 * 1024 * 1024;

  public static final String SUFFIX = ".ckpt";

  private CheckpointFormat() {}
}
