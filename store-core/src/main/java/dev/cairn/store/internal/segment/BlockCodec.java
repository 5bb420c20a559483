package dev.cairn.store.internal.segment;

import dev.cairn.store.Compression;
import io.airlift.compress.Compressor;
import io.airlift.compress.Decompressor;
import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.util.Arrays;

/**
 * Compresses and decompresses block contents with the pure-Java codecs. Stateless and
 * thread-safe: decompression uses fresh codec instances; a writer holds its own compressor.
 */
public final class BlockCodec {
  private BlockCodec() {}

  /** The codec id written for {@code compression}. */
  public static int id(Compression compression) {
    switch (compression) {
      case NONE:
        return SegmentFormat.CODEC_NONE;
      case LZ4:
        return SegmentFormat.CODEC_LZ4;
      case ZSTD:
        return SegmentFormat.CODEC_ZSTD;
      default:
        throw new AssertionError(compression);
    }
  }

  /**
   * A compressor for codec {@code codecId}, or null for {@link SegmentFormat#CODEC_NONE}. A
   * compressor is not thread-safe but may be reused: it resets its tables on every call.
   */
  public static Compressor newCompressor(int codecId) {
    if (codecId == SegmentFormat.CODEC_LZ4) {
      return new Lz4Compressor();
    } else if (codecId == SegmentFormat.CODEC_ZSTD) {
      return new ZstdCompressor();
    } else if (codecId == SegmentFormat.CODEC_NONE) {
      return null;
    }
    throw new IllegalArgumentException("unknown block codec " + codecId);
  }

  /**
   * Whether a block of {@code rawLength} bytes that compressed to {@code compressedLength} is worth
   * storing compressed: only when compression saves at least 1/8.
   */
  public static boolean worthCompressing(int rawLength, int compressedLength) {
    return compressedLength <= rawLength - (rawLength >>> 3);
  }

  /**
   * Decompresses {@code stored[offset, offset+length)} into exactly {@code rawLength} bytes.
   *
   * @throws IllegalArgumentException if the input is malformed or does not yield rawLength bytes
   */
  public static byte[] decompress(int codecId, byte[] stored, int offset, int length, int rawLength) {
    if (codecId == SegmentFormat.CODEC_NONE) {
      if (length != rawLength) {
        throw new IllegalArgumentException("raw block of " + length + " bytes declares " + rawLength);
      }
      return Arrays.copyOfRange(stored, offset, offset + length);
    }
    Decompressor decompressor;
    if (codecId == SegmentFormat.CODEC_LZ4) {
      decompressor = new Lz4Decompressor();
    } else if (codecId == SegmentFormat.CODEC_ZSTD) {
      decompressor = new ZstdDecompressor();
    } else {
      throw new IllegalArgumentException("unknown block codec " + codecId);
    }
    byte[] raw = new byte[rawLength];
    int n;
    try {
      n = decompressor.decompress(stored, offset, length, raw, 0, rawLength);
    } catch (RuntimeException e) {
      // The decompressors report damage in several ways (MalformedInputException, index errors, and
      // zstd's IllegalStateException for an impossible frame header); on our own arrays, any of them
      // means the stored bytes are malformed.
      throw new IllegalArgumentException("malformed compressed block: " + e.getMessage(), e);
    }
    if (n != rawLength) {
      throw new IllegalArgumentException("block decompressed to " + n + " bytes, declares " + rawLength);
    }
    return raw;
  }
}
