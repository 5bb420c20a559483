package dev.cairn.store.coroutines

import dev.cairn.store.Compression
import dev.cairn.store.Durability
import dev.cairn.store.StoreClosedException
import dev.cairn.store.StoreLockedException
import dev.cairn.store.WriteBatch
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeFalse
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import java.nio.file.Files
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runInterruptible
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout

class CairnStoreSpec : FunSpec({

  test("put then get returns the value, as bytes and as strings") {
    withStore { store ->
      store.put("user:1", "Ada") shouldBe 1L
      store.put(byteArrayOf(1, 2), byteArrayOf(3)) shouldBe 2L
      store.get("user:1") shouldBe "Ada"
      store.get(byteArrayOf(1, 2)) shouldBe byteArrayOf(3)
      store.get("user:2") shouldBe null
    }
  }

  test("the index operators read and write: store[key] = value") {
    withStore { store ->
      store["theme"] = "dark"
      store[byteArrayOf(7)] = byteArrayOf(8, 9)
      store["theme"] shouldBe "dark"
      store[byteArrayOf(7)] shouldBe byteArrayOf(8, 9)
    }
  }

  test("delete removes a live value and reports whether there was one") {
    withStore { store ->
      store["k"] = "v"
      store.delete("k").shouldBeTrue()
      store.delete("k").shouldBeFalse()
      store.delete(byteArrayOf(1)).shouldBeFalse()
      store["k"] shouldBe null
    }
  }

  test("compareAndSet writes only over the expected value, null meaning absent") {
    withStore { store ->
      store.compareAndSet("lease", null, "a").shouldBeTrue()
      store.compareAndSet("lease", null, "b").shouldBeFalse()
      store.compareAndSet("lease", "x", "b").shouldBeFalse()
      store.compareAndSet("lease", "a", "b").shouldBeTrue()
      store["lease"] shouldBe "b"
      store.compareAndSet("lease".encodeToByteArray(), "b".encodeToByteArray(), null).shouldBeTrue()
      store["lease"] shouldBe null
    }
  }

  test("update applies a suspending transform and deletes when it returns null") {
    withStore { store ->
      store.update("n") { current -> delay(1); ((current?.toInt() ?: 0) + 1).toString() } shouldBe "1"
      store.update("n") { current -> ((current?.toInt() ?: 0) + 1).toString() } shouldBe "2"
      store.update("n") { null } shouldBe null
      store["n"] shouldBe null
    }
  }

  test("update that returns the current value writes nothing") {
    withStore { store ->
      store["k"] = "v"
      val before = store.lastSequence()
      store.update("k") { it } shouldBe "v"
      store.update(byteArrayOf(5)) { it } shouldBe null
      store.lastSequence() shouldBe before
    }
  }

  test("update from concurrent coroutines loses no increment") {
    withStore { store ->
      coroutineScope {
        repeat(50) {
          launch(Dispatchers.Default) { store.update("count") { ((it?.toInt() ?: 0) + 1).toString() } }
        }
      }
      store["count"] shouldBe "50"
    }
  }

  test("a batch commits all its operations under one sequence") {
    withStore { store ->
      store["gone"] = "soon"
      val sequence = store.write(WriteBatch.create().put("a", "1").put("b", "2").delete("gone"))
      sequence shouldBe 2L
      store["a"] shouldBe "1"
      store["b"] shouldBe "2"
      store["gone"] shouldBe null
    }
  }

  test("the write block builds one batch of raw and typed operations") {
    withStore { store ->
      val counter = key<Int>("counter")
      store["draft"] = "x"
      val sequence = store.write {
        put("a", "1")
        put(byteArrayOf(1), byteArrayOf(2))
        put(counter, 41)
        delete("draft")
      }
      sequence shouldBe store.lastSequence()
      store["a"] shouldBe "1"
      store[counter] shouldBe 41
      store["draft"] shouldBe null
    }
  }

  test("flush, compact and stats run and report the store") {
    withStore { store ->
      repeat(100) { store["k$it"] = "v$it" }
      repeat(50) { store.delete("k$it") }
      store.flush()
      store.compact()
      val stats = store.stats()
      stats.keys() shouldBe 50L
      stats.lastSequence() shouldBe store.lastSequence()
      store["k99"] shouldBe "v99"
    }
  }

  test("open applies the builder's options and the data survives a reopen") {
    val dir = Files.createTempDirectory("cairn-coroutines-")
    try {
      CairnStore.open(dir) {
        compression = Compression.LZ4
        durability = Durability.SYNC
        options { blockCacheBytes(0) }
      }.use { store -> store["k"] = "v" }
      CairnStore.open(dir).use { store -> store["k"] shouldBe "v" }
    } finally {
      deleteRecursively(dir)
    }
  }

  test("a second open of the same directory fails with StoreLockedException") {
    withStore { store ->
      shouldThrow<StoreLockedException> { CairnStore.open(store.store.directory()) }
    }
  }

  test("calls after close throw StoreClosedException") {
    val dir = Files.createTempDirectory("cairn-coroutines-")
    try {
      val store = CairnStore.open(dir)
      withContext(Dispatchers.IO) { store.close() }
      shouldThrow<StoreClosedException> { store["k"] }
      shouldThrow<StoreClosedException> { store["k"] = "v" }
    } finally {
      deleteRecursively(dir)
    }
  }

  test("a suspended put resumes when the write is durable and holds no I/O thread meanwhile") {
    // One I/O thread: if the pending put held it, the get below could not run.
    withRecordingStore(io = Dispatchers.IO.limitedParallelism(1)) { store, recording ->
      val gate = CompletableFuture<Unit>()
      recording.writeGate = gate
      coroutineScope {
        val put = async(Dispatchers.Default) { store.put("k", "v") }
        withTimeout(5.seconds) { while (recording.writeAsyncCalls.get() == 0) delay(5) }
        // writeAsync hands the commit to the pipeline and returns before it is applied: poll until
        // it is visible. Each get needs the one I/O thread, so the pending put must not hold it.
        withTimeout(5.seconds) { while (store["k"] != "v") delay(5) } // committed, durability not yet reported
        put.isActive.shouldBeTrue()
        gate.complete(Unit)
        withTimeout(5.seconds) { put.await() } shouldBe store.lastSequence()
      }
    }
  }

  test("cancelling a caller never interrupts the thread inside a store call") {
    withRecordingStore { store, recording ->
      val probe = InterruptProbe()
      recording.onGet = probe::block
      val caller = launch(Dispatchers.Default) { store["k"] }
      probe.entered.await()
      caller.cancel()
      delay(100)
      probe.release()
      caller.join()
      caller.isCancelled.shouldBeTrue()
      probe.finished.get().shouldBeTrue() // the call ran to its end before the caller completed
      probe.interrupted.get().shouldBeFalse()
    }
  }

  test("runInterruptible, by contrast, interrupts the thread (the probe detects interrupts)") {
    withRecordingStore { _, recording ->
      val probe = InterruptProbe()
      recording.onGet = probe::block
      val caller = launch(Dispatchers.Default) { runInterruptible(Dispatchers.IO) { recording.get("k") } }
      probe.entered.await()
      caller.cancel()
      withTimeout(5.seconds) { caller.join() }
      probe.release()
      probe.interrupted.get().shouldBeTrue()
    }
  }

  test("wrap adopts an open Store and close closes it") {
    val dir = Files.createTempDirectory("cairn-coroutines-")
    try {
      val core = withContext(Dispatchers.IO) { dev.cairn.store.Store.open(dir) }
      val store = CairnStore.wrap(core)
      store["k"] = "v"
      core.get("k") shouldBe "v"
      withContext(Dispatchers.IO) { store.close() }
      shouldThrow<StoreClosedException> { core.get("k") }
      store.toString() shouldNotBe ""
    } finally {
      deleteRecursively(dir)
    }
  }
})

/** Blocks a store call until released, and records whether its thread was interrupted meanwhile. */
class InterruptProbe {
  val entered = CompletableDeferred<Unit>()
  val interrupted = AtomicBoolean()
  val finished = AtomicBoolean()
  private val latch = CountDownLatch(1)

  fun block() {
    entered.complete(Unit)
    try {
      latch.await(10, TimeUnit.SECONDS)
    } catch (e: InterruptedException) {
      interrupted.set(true)
    }
    if (Thread.currentThread().isInterrupted) interrupted.set(true)
    finished.set(true)
  }

  fun release() = latch.countDown()
}
