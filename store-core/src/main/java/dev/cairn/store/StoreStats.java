package dev.cairn.store;

/**
 * A point-in-time summary of a store, from {@link Store#stats()}. Immutable. Counts are exact for
 * the moment they were taken; sizes are bytes.
 *
 * @param keys live keys
 * @param liveBytes sum of the key and value lengths of live entries (uncompressed)
 * @param fileBytes bytes of all store files on disk (WAL, segments, checkpoint)
 * @param walBytes bytes of WAL files on disk, including the zero-filled space an open WAL preallocates
 *     ahead of its appends (from 64 KiB up to 4 MiB; cut off when the WAL is closed, or, for a WAL
 *     sealed by a rotation, just before its last fsync)
 * @param segments number of segment files
 * @param segmentBytes bytes of segment files
 * @param garbageRatio fraction of segment record bytes that are overwritten or deleted, 0 to 1
 * @param compressionRatio raw block bytes divided by stored block bytes over all segments (1 when none)
 * @param fsyncs fsyncs (file and directory) the store made since it opened
 * @param compactions compactions completed since the store opened
 * @param lastSequence sequence number of the last commit
 */
public record StoreStats(
    long keys,
    long liveBytes,
    long fileBytes,
    long walBytes,
    int segments,
    long segmentBytes,
    double garbageRatio,
    double compressionRatio,
    long fsyncs,
    long compactions,
    long lastSequence) {}
