package dev.cairn.store.coroutines

import dev.cairn.store.Change
import dev.cairn.store.ChangeQuery
import dev.cairn.store.KeyRange
import dev.cairn.store.WriteBatch
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import java.nio.file.Files
import java.util.Collections
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout

private fun Change.text() = "${sequence()} ${kind()} ${keyString()}=${valueString()}"

class ChangesSpec : FunSpec({

  test("changes after a sequence come in commit order, batches whole, and complete at upToSequence") {
    withStore { store ->
      store["a"] = "1"
      store.write(WriteBatch.create().put("b", "2").put("c", "3"))
      store.delete("a")
      val changes = withTimeout(5.seconds) {
        store.changes(ChangeQuery.after(0), upToSequence = store.lastSequence()).map { it.text() }.toList()
      }
      changes shouldContainExactly listOf("1 PUT a=1", "2 PUT b=2", "2 PUT c=3", "3 DELETE a=null")
    }
  }

  test("a consumer resumes after a restart from the sequence it saved") {
    val dir = Files.createTempDirectory("cairn-coroutines-")
    try {
      val saved = CairnStore.open(dir).use { store ->
        store["todo:1"] = "milk"
        store["todo:2"] = "eggs"
        val upTo = store.lastSequence()
        store.changes(ChangeQuery.after(0), upTo).toList().size shouldBe 2
        upTo
      }
      CairnStore.open(dir).use { store ->
        store["todo:3"] = "bread"
        store.delete("todo:1")
        val resumed = withTimeout(5.seconds) {
          store.changes(ChangeQuery.after(saved), store.lastSequence()).map { it.text() }.toList()
        }
        resumed shouldContainExactly listOf("3 PUT todo:3=bread", "4 DELETE todo:1=null")
      }
    } finally {
      deleteRecursively(dir)
    }
  }

  test("snapshot-then-tail over a range reports existing entries, then new changes in the range") {
    withStore { store ->
      store["user:1"] = "ada"
      store["other"] = "x"
      store["user:2"] = "alan"
      val seen = withTimeout(5.seconds) {
        coroutineScope {
          val first = CompletableDeferred<Unit>()
          val collected = async(Dispatchers.Default) {
            store.changes(ChangeQuery.snapshotThenTail().range(KeyRange.prefix("user:")))
              .take(3).map { first.complete(Unit); it.text() }.toList()
          }
          first.await()
          store["other"] = "y"
          store["user:3"] = "grace"
          collected.await()
        }
      }
      seen shouldContainExactly listOf("3 EXISTING user:1=ada", "3 EXISTING user:2=alan", "5 PUT user:3=grace")
    }
  }

  test("changes from now follow new commits") {
    withStore { store ->
      store["old"] = "1"
      val change = withTimeout(5.seconds) {
        coroutineScope {
          val next = async(Dispatchers.Default) { store.changes(ChangeQuery.fromNow()).first() }
          while (next.isActive) {
            store["new"] = "2"
            delay(20)
          }
          next.await()
        }
      }
      change.keyString() shouldBe "new"
    }
  }

  test("the cursor is polled again only after the collector took every change of the previous poll") {
    withRecordingStore { store, recording ->
      repeat(3) { store["k$it"] = "v" }
      val pollsWhenReceived = withTimeout(5.seconds) {
        store.changes(ChangeQuery.after(0)).take(3).map { recording.changePolls.get() }.toList()
      }
      pollsWhenReceived shouldContainExactly listOf(1, 1, 1)
    }
  }

  test("the change flow is cold and cancelling its collector closes the cursor") {
    withRecordingStore { store, recording ->
      val flow = store.changes(ChangeQuery.fromNow())
      recording.openChangeCursors.get() shouldBe 0
      coroutineScope {
        val received = Collections.synchronizedList(mutableListOf<Change>())
        val collector = launch(Dispatchers.Default) { flow.collect { received += it } }
        withTimeout(5.seconds) { while (recording.openChangeCursors.get() == 0) delay(2) }
        store["k"] = "v"
        awaitSize(received, 1)
        collector.cancel()
        collector.join()
      }
      recording.openChangeCursors.get() shouldBe 0
    }
  }
})



