package dev.cairn.store.coroutines

import dev.cairn.store.Change
import dev.cairn.store.ChangeCursor
import dev.cairn.store.ChangeQuery
import dev.cairn.store.Cursor
import dev.cairn.store.Entry
import dev.cairn.store.KeyRange
import dev.cairn.store.Store
import java.time.Duration
import java.util.concurrent.CompletableFuture
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext

// The cold flows of CairnStore. Each collection opens its cursor on the I/O dispatcher (not
// cancellable, so an opened cursor is never lost to a cancellation), reads it there with
// non-waiting polls, waits for new commits on the cursor's onAvailable() future (no parked
// thread), and closes it in `finally`. A cursor is used by one coroutine at a time, and every call
// on it completes before the next starts, as withContext returns only after its block.

/** Entries one scan hop reads ahead of the collector at most. */
internal const val SCAN_CHUNK_ENTRIES = 64

/** Value bytes after which a scan hop stops early, so that large values are not read far ahead. */
private const val SCAN_CHUNK_BYTES = 1 shl 20

internal fun watchFlow(store: Store, io: CoroutineDispatcher, key: ByteArray): Flow<ByteArray?> = flow {
  val range = KeyRange.between(key, key + 0.toByte()) // exactly the one key
  var last: ByteArray? = null
  val cursor = withContext(io + NonCancellable) {
    store.snapshot().use { snapshot ->
      last = snapshot.get(key)
      store.changes(ChangeQuery.after(snapshot.sequence()).range(range))
    }
  }
  try {
    emit(last?.copyOf())
    while (true) {
      val latest = withContext(io) { readLatest(store, cursor) }
      if (latest.wakeUp != null) {
        latest.wakeUp.await()
      } else if (!latest.value.contentEquals(last)) {
        last = latest.value
        emit(last?.copyOf())
      }
    }
  } finally {
    withContext(io + NonCancellable) { cursor.close() }
  }
}

/** The last value a watch cursor holds, or, when it holds no change, the future that says when it may. */
private class Latest(val value: ByteArray?, val wakeUp: CompletableFuture<Void>?)

/**
 * Reads every commit up to the last one at the time of the call and keeps the value of the last:
 * what a conflated watch emits. Stops at that point so that a steady stream of writes cannot keep
 * a watcher from emitting.
 */
private fun readLatest(store: Store, cursor: ChangeCursor): Latest {
  val target = store.lastSequence()
  var latest: Change? = null
  do {
    val changes = cursor.poll(Duration.ZERO)
    if (changes.isEmpty()) break
    latest = changes.last()
  } while (cursor.position() < target)
  return if (latest != null) Latest(latest.value(), null) else Latest(null, cursor.onAvailable())
}

internal fun changeFlow(store: Store, io: CoroutineDispatcher, query: ChangeQuery, upToSequence: Long): Flow<Change> = flow {
  val cursor = withContext(io + NonCancellable) { store.changes(query) }
  try {
    while (cursor.position() < upToSequence) {
      val (changes, wakeUp) = withContext(io) {
        val polled = cursor.poll(Duration.ZERO)
        polled to if (polled.isEmpty() && cursor.position() < upToSequence) cursor.onAvailable() else null
      }
      wakeUp?.await()
      for (change in changes) {
        if (change.kind() != Change.Kind.EXISTING && change.sequence() > upToSequence) return@flow
        emit(change)
      }
    }
  } finally {
    withContext(io + NonCancellable) { cursor.close() }
  }
}

internal fun scanFlow(store: Store, io: CoroutineDispatcher, range: KeyRange): Flow<Entry> = flow {
  val cursor = withContext(io + NonCancellable) { store.scan(range) }
  try {
    while (true) {
      val chunk = withContext(io) { readChunk(cursor) }
      if (chunk.isEmpty()) break
      for (entry in chunk) emit(entry)
    }
  } finally {
    withContext(io + NonCancellable) { cursor.close() }
  }
}

private fun readChunk(cursor: Cursor): List<Entry> {
  val chunk = ArrayList<Entry>(SCAN_CHUNK_ENTRIES)
  var valueBytes = 0L
  while (chunk.size < SCAN_CHUNK_ENTRIES && valueBytes < SCAN_CHUNK_BYTES && cursor.hasNext()) {
    val entry = cursor.next()
    valueBytes += entry.value().size // Entry copies on access; a scan of large values pays it anyway
    chunk += entry
  }
  return chunk
}
