package dev.cairn.store.coroutines

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import java.util.Collections
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import kotlinx.serialization.Serializable

@Serializable
data class PersistedState(val lastId: Long = 0, val names: List<String> = emptyList())

class StateHandleSpec : FunSpec({

  test("a state reads as its default until written, and writes nothing by itself") {
    withStore { store ->
      val state = store.state("example.state", PersistedState())
      state.get() shouldBe PersistedState()
      withTimeout(5.seconds) { state.data.first() } shouldBe PersistedState()
      store.lastSequence() shouldBe 0L
      store["example.state"] shouldBe null
    }
  }

  test("update stores the transformed value and returns it") {
    withStore { store ->
      val state = store.state("example.state", PersistedState())
      state.update { it.copy(lastId = it.lastId + 1, names = it.names + "ada") } shouldBe PersistedState(1, listOf("ada"))
      state.get() shouldBe PersistedState(1, listOf("ada"))
      store.state("example.state", PersistedState()).get().lastId shouldBe 1L
    }
  }

  test("an update that changes nothing writes nothing and emits nothing") {
    withStore { store ->
      val state = store.state(key<Int>("counter"), 0)
      val seen = Collections.synchronizedList(mutableListOf<Int>())
      coroutineScope {
        val collector = launch(Dispatchers.Default) { state.data.collect { seen += it } }
        awaitSize(seen, 1)
        state.update { it } shouldBe 0 // equal to the default: nothing stored
        store.lastSequence() shouldBe 0L
        state.update { it + 1 }
        awaitSize(seen, 2)
        val sequence = store.lastSequence()
        state.update { it } shouldBe 1
        store.lastSequence() shouldBe sequence
        state.update { it + 1 }
        awaitSize(seen, 3)
        collector.cancel()
      }
      seen shouldContainExactly listOf(0, 1, 2)
    }
  }

  test("100 concurrent updaters each add one: the final value is 100") {
    withStore { store ->
      val state = store.state("example.state", PersistedState())
      coroutineScope {
        repeat(100) { i ->
          launch(Dispatchers.Default) {
            state.update { current ->
              delay(1) // widen the race window between the read and the compare-and-set
              current.copy(lastId = current.lastId + 1)
            }
          }
        }
      }
      state.get().lastId shouldBe 100L
      withTimeout(5.seconds) { state.data.first() }.lastId shouldBe 100L
    }
  }

  test("data emits the value another writer stores, and the default again after a delete") {
    withStore { store ->
      val theme = store.state(key<String>("theme"), "light")
      val seen = Collections.synchronizedList(mutableListOf<String>())
      coroutineScope {
        val collector = launch(Dispatchers.Default) { theme.data.collect { seen += it } }
        awaitSize(seen, 1)
        store[key<String>("theme")] = "dark"
        awaitSize(seen, 2)
        store.delete("theme")
        awaitSize(seen, 3)
        collector.cancel()
      }
      seen shouldContainExactly listOf("light", "dark", "light")
    }
  }
})
