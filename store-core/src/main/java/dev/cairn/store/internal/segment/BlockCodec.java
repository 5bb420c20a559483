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
 * thread-safe: every call uses fresh codec instances, which hold per-call tables.
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
   * Compresses {@code raw[0, length)} with codec {@code codecId}; returns the stored bytes, or null
   * when compression saves less than 1/8 (the block is then stored raw).
   */
  public static byte[] compress(int codecId, byte[] raw, int length) {
    Compressor compressor;
    if (codecId == SegmentFormat.CODEC_LZ4) {
      compressor = new Lz4Compressor();
    } else if (codecId == SegmentFormat.CODEC_ZSTD) {
      compressor = new ZstdCompressor();
    } else {
      return null;
    }
    byte[] out = new byte[compressor.maxCompressedLength(length)];
    int n = compressor.compress(raw, 0, length, out, 0, out.length);
    if (n > length - (length >>> 3)) {
      return null;
    }
    return Arrays.copyOf(out, n);
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
