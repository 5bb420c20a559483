package dev.cairn.store;

import java.nio.file.Path;

/**
 * Thrown when bytes on disk fail a checksum or a structural check. The message names the file and
 * the byte offset of the damaged record or block; {@link #file()} and {@link #fileOffset()} give
 * them to programs. The store never returns damaged bytes as data.
 */
public class CorruptionException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long fileOffset;

  public CorruptionException(Path file, long fileOffset, String detail) {
    super(file + " at offset " + fileOffset + ": " + detail);
    this.file = file;
    this.fileOffset = fileOffset;
  }

  public CorruptionException(Path file, long fileOffset, String detail, Throwable cause) {
    super(file + " at offset " + fileOffset + ": " + detail, cause);
    this.file = file;
    this.fileOffset = fileOffset;
  }

  /** The damaged file. */
  public Path file() {
    return file;
  }

  /** The byte offset in {@link #file()} of the damaged record, block or field. */
  public long fileOffset() {
    return fileOffset;
  }
}
