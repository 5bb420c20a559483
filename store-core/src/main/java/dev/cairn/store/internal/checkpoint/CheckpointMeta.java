package dev.cairn.store.internal.checkpoint;

import java.util.List;

/**
 * What a checkpoint says besides its entries: every change up to {@code lastSequence} is in the
 * listed segments, and replay starts at WAL file {@code walStartNumber}. Immutable.
 */
public record CheckpointMeta(
    long lastSequence, long walStartNumber, long nextFileNumber, List<SegmentRef> segments) {

  /** A live segment as the checkpoint recorded it. */
  public record SegmentRef(long fileNumber, long fileLength) {}
}
