package dev.cairn.store.coroutines

import dev.cairn.store.ChangeCursor
import dev.cairn.store.ChangeQuery
import dev.cairn.store.Cursor
import dev.cairn.store.Entry
import dev.cairn.store.KeyRange
import dev.cairn.store.Store
import dev.cairn.store.WriteBatch
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.CompletableFuture
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/** Opens a store in a fresh temporary directory, runs [block], closes the store and deletes the directory. */
suspend fun <R> withStore(configure: CairnStoreConfig.() -> Unit = {}, block: suspend (CairnStore) -> R): R {
  val dir = Files.createTempDirectory("cairn-coroutines-")
  try {
    val store = CairnStore.open(dir, configure)
    try {
      return block(store)
    } finally {
      withContext(Dispatchers.IO) { store.close() }
    }
  } finally {
    deleteRecursively(dir)
  }
}

/** Like [withStore], over a [RecordingStore] that counts open cursors and lets a test hook into calls. */
suspend fun <R> withRecordingStore(
  io: kotlinx.coroutines.CoroutineDispatcher = Dispatchers.IO.limitedParallelism(4),
  block: suspend (CairnStore, RecordingStore) -> R,
): R {
  val dir = Files.createTempDirectory("cairn-coroutines-")
  try {
    val recording = RecordingStore(withContext(Dispatchers.IO) { Store.open(dir) })
    val store = CairnStore.wrap(recording, io)
    try {
      return block(store, recording)
    } finally {
      withContext(Dispatchers.IO) { store.close() }
    }
  } finally {
    deleteRecursively(dir)
  }
}

fun deleteRecursively(dir: Path) {
  Files.walk(dir).use { paths -> paths.sorted(Comparator.reverseOrder()).forEach { Files.deleteIfExists(it) } }
}

/**
 * A [Store] that forwards to [delegate], counts the scan and change cursors open at any time and
 * the calls made on them, and runs optional hooks inside `get` and `writeAsync`.
 */
class RecordingStore(private val delegate: Store) : Store by delegate {
  val openScanCursors = AtomicInteger()
  val openChangeCursors = AtomicInteger()
  val scanNextCalls = AtomicInteger()
  val changePolls = AtomicInteger()
  val writeAsyncCalls = AtomicInteger()

  @Volatile var onGet: (() -> Unit)? = null
  @Volatile var writeGate: CompletableFuture<Unit>? = null

  override fun get(key: ByteArray): ByteArray? {
    onGet?.invoke()
    return delegate.get(key)
  }

  override fun writeAsync(batch: WriteBatch): CompletableFuture<Long> {
    writeAsyncCalls.incrementAndGet()
    val written = delegate.writeAsync(batch)
    val gate = writeGate ?: return written
    return written.thenCombine(gate) { sequence, _ -> sequence }
  }

  override fun scan(range: KeyRange): Cursor {
    val cursor = delegate.scan(range)
    openScanCursors.incrementAndGet()
    return object : Cursor {
      private var closed = false
      override fun hasNext(): Boolean = cursor.hasNext()
      override fun next(): Entry = cursor.next().also { scanNextCalls.incrementAndGet() }
      override fun remove() = throw UnsupportedOperationException()
      override fun close() {
        if (!closed) {
          closed = true
          openScanCursors.decrementAndGet()
        }
        cursor.close()
      }
    }
  }

  override fun changes(query: ChangeQuery): ChangeCursor {
    val cursor = delegate.changes(query)
    openChangeCursors.incrementAndGet()
    return object : ChangeCursor by cursor {
      private var closed = false
      override fun poll(timeout: java.time.Duration) = cursor.poll(timeout).also { changePolls.incrementAndGet() }
      override fun close() {
        if (!closed) {
          closed = true
          openChangeCursors.decrementAndGet()
        }
        cursor.close()
      }
    }
  }
}
