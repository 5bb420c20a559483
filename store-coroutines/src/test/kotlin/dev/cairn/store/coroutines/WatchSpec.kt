package dev.cairn.store.coroutines

import dev.cairn.store.StoreClosedException
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeSortedWith
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.property.Arb
import io.kotest.property.arbitrary.int
import io.kotest.property.checkAll
import java.nio.file.Files
import java.util.Collections
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield

class WatchSpec : FunSpec({

  test("a watch emits the current value first, null for an absent key") {
    withStore { store ->
      store["a"] = "1"
      withTimeout(5.seconds) { store.watch("a").first() } shouldBe "1"
      withTimeout(5.seconds) { store.watch("b").first() } shouldBe null
      withTimeout(5.seconds) { store.watch(byteArrayOf(9)).first() } shouldBe null
    }
  }

  test("a watch emits each new distinct value, null on delete, and ignores other keys") {
    withStore { store ->
      val seen = Collections.synchronizedList(mutableListOf<String?>())
      coroutineScope {
        val watcher = launch(Dispatchers.Default) { store.watch("k").collect { seen += it } }
        awaitSize(seen, 1)
        store["k"] = "v1"
        awaitSize(seen, 2)
        store["k"] = "v1" // the same value again: not emitted
        store["k2"] = "other" // a key that starts with "k": not emitted
        store["k"] = "v2"
        awaitSize(seen, 3)
        store.delete("k")
        awaitSize(seen, 4)
        watcher.cancel()
      }
      seen shouldContainExactly listOf(null, "v1", "v2", null)
    }
  }

  test("a slow collector gets the latest value next, never a stale one") {
    withStore { store ->
      store["k"] = "start"
      val collected = mutableListOf<String?>()
      withTimeout(10.seconds) {
        store.watch("k").take(2).collect { value ->
          collected += value
          // The collector is busy while all 100 writes happen: nothing is buffered for it meanwhile.
          if (value == "start") for (i in 1..100) store["k"] = i.toString()
        }
      }
      collected shouldContainExactly listOf("start", "100")
    }
  }

  test("under concurrent writers the last value written is always emitted, in commit order (property)") {
    withStore { store ->
      checkAll(15, Arb.int(1..4), Arb.int(1..40)) { writers, writesEach ->
        store.delete("race")
        val emitted = Collections.synchronizedList(mutableListOf<Long>())
        coroutineScope {
          val watcher = launch(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) {
            store.watch("race").collect { emitted += it?.substringAfter('@')?.toLong() ?: 0L }
          }
          coroutineScope {
            repeat(writers) { w ->
              launch(Dispatchers.Default) {
                repeat(writesEach) { i ->
                  // each value carries a counter that grows with commit order
                  store.update("race") { old -> "$w.$i@${(old?.substringAfter('@')?.toLong() ?: 0L) + 1}" }
                  yield()
                }
              }
            }
          }
          val final = store["race"]!!.substringAfter('@').toLong()
          withTimeout(5.seconds) { while (emitted.lastOrNull() != final) delay(2) }
          watcher.cancel()
          final shouldBe (writers * writesEach).toLong()
          emitted.toList().shouldBeSortedWith(naturalOrder())
        }
      }
    }
  }

  test("a watch started while a writer runs misses nothing between its first read and its subscription (property)") {
    withStore { store ->
      checkAll(20, Arb.int(1..200)) { writes ->
        store["start"] = "0"
        coroutineScope {
          val writer = launch(Dispatchers.Default) { for (i in 1..writes) store["start"] = i.toString() }
          val last = withTimeout(5.seconds) { store.watch("start").first { it == writes.toString() } }
          writer.join()
          last shouldBe writes.toString()
        }
      }
    }
  }

  test("cancelling the collector closes the change cursor") {
    withRecordingStore { store, recording ->
      coroutineScope {
        val started = CompletableDeferred<Unit>()
        val watcher = launch(Dispatchers.Default) { store.watch("k").collect { started.complete(Unit) } }
        started.await()
        recording.openChangeCursors.get() shouldBe 1
        watcher.cancel()
        watcher.join()
        recording.openChangeCursors.get() shouldBe 0
      }
      withTimeout(5.seconds) { store.watch("k").first() }
      recording.openChangeCursors.get() shouldBe 0
    }
  }

  test("a watch opens nothing until it is collected") {
    withRecordingStore { store, recording ->
      val flow = store.watch("k")
      recording.openChangeCursors.get() shouldBe 0
      withTimeout(5.seconds) { flow.first() } shouldBe null
    }
  }

  test("closing the store fails a running watch with StoreClosedException") {
    val dir = Files.createTempDirectory("cairn-coroutines-")
    try {
      val store = CairnStore.open(dir)
      val started = CompletableDeferred<Unit>()
      val failure = CompletableDeferred<Throwable>()
      coroutineScope {
        launch(Dispatchers.Default) {
          try {
            store.watch("k").collect { started.complete(Unit) }
          } catch (e: Throwable) {
            failure.complete(e)
          }
        }
        started.await()
        withContext(Dispatchers.IO) { store.close() }
        shouldThrow<StoreClosedException> { throw withTimeout(5.seconds) { failure.await() } }
      }
    } finally {
      deleteRecursively(dir)
    }
  }
})

/** Waits until [list] holds at least [size] elements. */
suspend fun awaitSize(list: List<*>, size: Int) {
  withTimeout(5.seconds) { while (list.size < size) delay(2) }
}
