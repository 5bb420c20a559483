package dev.cairn.store;

/**
 * The codec that compresses segment blocks. All three are pure Java: no native library is needed.
 * A block that does not shrink by at least 1/8 is stored raw whatever the setting, and a store can
 * read blocks written with any codec, so changing this option only affects blocks written from then on.
 */
public enum Compression {
  /** Blocks are stored raw. Fastest writes, largest files. */
  NONE,
  /**
   * LZ4: fast compression and very fast decompression, so a point read that misses the block
   * cache stays cheap. The default.
   */
  LZ4,
  /**
   * Zstandard: files about 40% smaller than LZ4's on JSON-like data, but a block costs several
   * times more to decompress (and more to compress), which slows point reads that miss the cache.
   */
  ZSTD
}
