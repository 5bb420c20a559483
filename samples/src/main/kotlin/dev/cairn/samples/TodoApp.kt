package dev.cairn.samples

import dev.cairn.store.Change
import dev.cairn.store.ChangeQuery
import dev.cairn.store.Durability
import dev.cairn.store.KeyRange
import dev.cairn.store.coroutines.CairnStore
import dev.cairn.store.coroutines.TypedKey
import dev.cairn.store.coroutines.key
import java.nio.file.Path
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.onEach
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json

/*
 * A to-do list kept in a Cairn store, written the way an app uses store-coroutines: typed values,
 * an atomic id counter, a Flow that watches one to-do, a scan, an atomic batch, and the change
 * feed resumed after a restart. Each run adds two to-dos, finishes the oldest open one, deletes
 * those finished in earlier runs, and first prints what the previous run changed.
 *
 * Run it from the repository root (twice, to see the second run replay the first one's changes):
 *
 *   mvn -q -pl samples -am compile exec:java -Dexec.mainClass=dev.cairn.samples.TodoAppKt
 *
 * Add -Dexec.args=DIR to keep the data somewhere other than ./todo-data.
 */

@Serializable
data class Todo(val title: String, val done: Boolean = false) {
  override fun toString(): String = if (done) "\"$title\" (done)" else "\"$title\""
}

/** The app's own bookkeeping, one typed value: how many runs, and the last to-do id handed out. */
@Serializable
data class AppState(val runs: Int = 0, val lastId: Long = 0)

private val State = key<AppState>("app.state")
private val LastSeenSequence = key<Long>("app.last-seen-sequence")

private fun todoKey(id: Long): TypedKey<Todo> = key("todo:%04d".format(id)) // zero-padded: keys sort by id

private val ideas = listOf(
  "Buy milk", "Water the plants", "Call the plumber", "Renew the passport", "Back up the laptop", "Book the dentist",
)

suspend fun main(args: Array<String>) {
  val dir = Path.of(args.firstOrNull() ?: "todo-data")

  // open() runs on the I/O dispatcher; use {} closes (flushes and unlocks) the store at the end.
  CairnStore.open(dir) { durability = Durability.SYNC }.use { store ->
    val state = store.state(State, AppState())
    val run = state.update { it.copy(runs = it.runs + 1) }.runs
    println("Cairn to-do sample, run #$run, data in ${dir.toAbsolutePath()}")

    // --- What changed since the last run: the change feed, resumed after a saved sequence --------
    val lastSeen = store.state(LastSeenSequence, 0L)
    val since = lastSeen.get()
    val upTo = store.lastSequence()
    val changes = store.changes(ChangeQuery.after(since).range(KeyRange.prefix("todo:")), upToSequence = upTo).toList()
    println(if (run == 1) "Changes since the last run: none, this is the first run." else "Changes since the last run:")
    changes.forEach { println("  " + describe(it)) }
    lastSeen.update { upTo } // the next run resumes after this sequence

    // --- Add two to-dos, ids from an atomic counter ----------------------------------------------
    repeat(2) { i ->
      val id = state.update { it.copy(lastId = it.lastId + 1) }.lastId
      val todo = Todo(ideas[(2 * (run - 1) + i) % ideas.size])
      store[todoKey(id)] = todo
      println("Added ${todoKey(id).name}: ${todo.title}")
    }

    // --- Delete the to-dos finished in earlier runs, in one atomic batch ------------------------
    val finished = store.scanPrefix("todo:")
      .filter { entry -> decode(entry.valueString()).done }
      .map { it.keyString() }
      .toList()
    if (finished.isNotEmpty()) {
      store.write { finished.forEach { delete(it) } }
      println("Deleted the to-dos finished earlier: ${finished.joinToString()}")
    }

    // --- Watch the oldest open to-do while it gets done ------------------------------------------
    val oldest = store.scanPrefix("todo:").first { !decode(it.valueString()).done }.keyString()
    val oldestKey = key<Todo>(oldest)
    coroutineScope {
      val watching = CompletableDeferred<Unit>()
      launch {
        store.watch(oldestKey)
          .onEach { todo -> println("  [watch] $oldest = $todo"); watching.complete(Unit) }
          .first { it == null || it.done } // the Flow ends here, and its cursor is closed
      }
      watching.await()
      println("Finishing $oldest")
      store.update(oldestKey) { it?.copy(done = true) }
    }

    // --- The list, in key order ------------------------------------------------------------------
    println("To-dos:")
    store.scanPrefix("todo:").collect { entry ->
      val todo = decode(entry.valueString())
      println("  [${if (todo.done) "x" else " "}] ${entry.keyString()} ${todo.title}")
    }
    println("Run again to see this run's changes replayed from the change feed.")
  }
}

private fun decode(json: String): Todo = Json.decodeFromString(Todo.serializer(), json)

private fun describe(change: Change): String =
  if (change.kind() == Change.Kind.DELETE) {
    "#${change.sequence()} ${change.keyString()} deleted"
  } else {
    "#${change.sequence()} ${change.keyString()} = ${decode(change.valueString())}"
  }
