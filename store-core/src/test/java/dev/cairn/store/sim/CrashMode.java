package dev.cairn.store.sim;

/**
 * What a power loss leaves of the writes a {@link MemoryVfs} saw. The first four modes decide the
 * content of each file; {@link #FORGET_UNSYNCED_DIR_ENTRIES} decides the directory entries and
 * combines with any one of them ({@link MemoryVfs#crashImage(java.util.Set, java.util.Random)}).
 * Bytes made durable by {@code sync()} and entries made durable by {@code syncDirectory} always
 * survive; only what came after them varies.
 */
public enum CrashMode {
  /** Every byte appended since a file's last {@code sync()} is gone; a truncation since then is undone. */
  DROP_UNSYNCED,

  /**
   * A random prefix of the bytes appended since the last {@code sync()} survives (anything from none
   * to all of them), as when the page cache wrote back part of a file. A truncation since the last
   * sync is kept or undone at random.
   */
  KEEP_RANDOM_PREFIX,

  /**
   * Every unsynced change of a file survives except its last append, which is torn: it keeps its
   * bytes up to a random boundary of 1 byte, 512 bytes (a sector) or 4 KiB (a page), counted from
   * the start of the file, and loses the rest.
   */
  TEAR_LAST_WRITE,

  /**
   * A file keeps the size it had, but the part beyond what its last {@code sync()} made durable
   * reads as zeros: the file system committed the size update (metadata) but not the data.
   */
  ZERO_FILL_EXTENSION,

  /**
   * Each directory's entries are those of its last {@code syncDirectory}: names created since
   * vanish, deleted names come back, renames are undone (the old name holds the file again and the
   * replaced target, if any, comes back). Alone it keeps every byte written to the files that
   * remain; with a content mode, that mode decides their bytes.
   */
  FORGET_UNSYNCED_DIR_ENTRIES;

  /** True for the modes that decide file content. */
  boolean decidesContent() {
    return this != FORGET_UNSYNCED_DIR_ENTRIES;
  }
}
