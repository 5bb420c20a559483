package dev.cairn.store.coroutines.readme

import dev.cairn.store.ChangeQuery
import dev.cairn.store.Durability
import dev.cairn.store.KeyRange
import dev.cairn.store.coroutines.CairnStore
import dev.cairn.store.coroutines.deleteRecursively
import dev.cairn.store.coroutines.key
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.nio.file.Files
import java.nio.file.Path
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.serialization.Serializable

// The code of README.md ("Kotlin quick start"), kept word for word but for
// the directory and a final check, so that the README shows an API that compiles and runs.

@Serializable
data class Settings(val theme: String = "light", val fontSize: Int = 14)

val SettingsKey = key<Settings>("settings")             // a typed key: JSON by default

suspend fun quickStart(dir: Path) = coroutineScope {
  CairnStore.open(dir) {                                 // opens on the I/O dispatcher
    durability = Durability.SYNC                          // default: periodic(100 ms)
  }.use { store ->                                        // Closeable: close() flushes and unlocks
    store["user:1"] = "Ada Lovelace"                      // resumes once the write is durable
    val name: String? = store["user:1"]

    store[SettingsKey] = Settings(theme = "dark")
    val settings: Settings? = store[SettingsKey]

    store.write {                                         // one atomic batch, typed or raw
      put(SettingsKey, Settings(theme = "dark", fontSize = 16))
      put("account:alice", "70")
      delete("draft")
    }
    val claimed = store.compareAndSet("lease:owner", null, "me")   // null expected = absent
    val visits = store.update(key<Long>("visits")) { (it ?: 0L) + 1 } // suspend transform, CAS loop

    // A DataStore-style value: a default, an atomic update, and a Flow of its values.
    val lastId = store.state("example.last-id", 0L)
    val id = lastId.update { it + 1 }
    println("id $id, now ${lastId.data.first()}")

    // watch: the current value, then each new distinct one; cancelling closes its cursor.
    val watcher = launch { store.watch(SettingsKey).collect { println("settings: $it") } }
    store[SettingsKey] = Settings(fontSize = 18)
    watcher.cancel()

    // scan: point in time, read on demand.
    val users = store.scanPrefix("user:").toList().map { it.keyString() to it.valueString() }

    // The change feed, resumed after a saved sequence (0: from the oldest retained commit).
    val upTo = store.lastSequence()
    store.changes(ChangeQuery.after(0).range(KeyRange.prefix("user:")), upToSequence = upTo)
      .collect { println("${it.sequence()} ${it.kind()} ${it.keyString()}") }
    // save upTo; after a restart, ChangeQuery.after(upTo) goes on from there
    check(name == "Ada Lovelace" && settings == Settings("dark") && claimed && visits == 1L && users.size == 1)
  }
}

class ReadmeQuickStartSpec : FunSpec({
  test("the README's Kotlin quick start runs and leaves what it says in the store") {
    val dir = Files.createTempDirectory("cairn-readme-")
    try {
      quickStart(dir)
      CairnStore.open(dir).use { store ->
        store[SettingsKey] shouldBe Settings(fontSize = 18)
        store["account:alice"] shouldBe "70"
        store["lease:owner"] shouldBe "me"
        store[key<Long>("visits")] shouldBe 1L
        store.state("example.last-id", 0L).get() shouldBe 1L
      }
    } finally {
      deleteRecursively(dir)
    }
  }
})
