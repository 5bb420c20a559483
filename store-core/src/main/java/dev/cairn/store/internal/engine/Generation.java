package dev.cairn.store.internal.engine;

import java.util.List;

/**
 * The writes of a run of WAL files that no segment holds yet: files {@code walFrom..walTo}, whose
 * last commit is {@code lastSequence}, and the keys they wrote. Flushing a generation packs those
 * values into a segment, after which the WAL files are no longer needed for recovery.
 */
record Generation(long walFrom, long walTo, long lastSequence, List<byte[]> keys) {}
