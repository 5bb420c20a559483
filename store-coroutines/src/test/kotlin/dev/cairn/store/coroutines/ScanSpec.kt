package dev.cairn.store.coroutines

import dev.cairn.store.KeyRange
import dev.cairn.store.WriteBatch
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.ints.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.flow.collect
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.onEach
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.withTimeout

class ScanSpec : FunSpec({

  test("a scan emits the entries of its range in key order") {
    withStore { store ->
      store.write(WriteBatch.create().put("user:2", "b").put("user:1", "a").put("zed", "z").put("user:10", "c"))
      withTimeout(5.seconds) { store.scanPrefix("user:").map { it.keyString() to it.valueString() }.toList() } shouldContainExactly
        listOf("user:1" to "a", "user:10" to "c", "user:2" to "b")
      withTimeout(5.seconds) { store.scan(KeyRange.between("user:10", "user:3")).map { it.keyString() }.toList() } shouldContainExactly
        listOf("user:10", "user:2")
      withTimeout(5.seconds) { store.scan().toList().size } shouldBe 4
    }
  }

  test("a scan is point in time: writes made while it runs are not seen") {
    withStore { store ->
      repeat(200) { store["k%03d".format(it)] = "old" }
      var writes = 0
      val values = withTimeout(10.seconds) {
        store.scanPrefix("k").onEach {
          if (writes++ == 0) {
            store["k199"] = "new"
            store["k200"] = "added"
          }
        }.map { it.valueString() }.toList()
      }
      values.size shouldBe 200
      values.toSet() shouldBe setOf("old")
    }
  }

  test("a scan reads on demand: taking a few entries of a large range reads one chunk") {
    withRecordingStore { store, recording ->
      val batch = WriteBatch.create()
      repeat(5_000) { batch.put("k%05d".format(it), "v") }
      store.write(batch)
      withTimeout(5.seconds) { store.scan().take(3).toList() }.size shouldBe 3
      recording.scanNextCalls.get() shouldBeLessThanOrEqual SCAN_CHUNK_ENTRIES
    }
  }

  test("cancelling a scan closes its cursor, and so does completing it") {
    withRecordingStore { store, recording ->
      repeat(300) { store["k$it"] = "v" }
      withTimeout(5.seconds) { store.scan().take(10).collect() }
      recording.openScanCursors.get() shouldBe 0
      withTimeout(5.seconds) { store.scan().collect() }
      recording.openScanCursors.get() shouldBe 0
      recording.scanNextCalls.get() shouldBe (SCAN_CHUNK_ENTRIES + 300)
    }
  }
})
