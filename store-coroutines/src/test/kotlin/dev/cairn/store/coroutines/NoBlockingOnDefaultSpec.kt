package dev.cairn.store.coroutines

import dev.cairn.store.ChangeQuery
import dev.cairn.store.KeyRange
import dev.cairn.store.Store
import dev.cairn.store.WriteBatch
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import java.lang.reflect.Method
import java.lang.reflect.Modifier
import java.nio.file.Files
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import reactor.blockhound.BlockHound
import reactor.blockhound.BlockingOperationError
import reactor.blockhound.integration.BlockHoundIntegration

/**
 * Proves that no blocking store call runs on [Dispatchers.Default]. BlockHound, with
 * kotlinx-coroutines-debug's integration (loaded from the classpath), fails any blocking call made
 * on a Default worker; [StoreCallsBlock] adds every blocking method of the store's implementation
 * classes to the JDK's blocking calls it already knows. Runs in a JVM of its own (see the pom):
 * BlockHound stays installed for the life of the JVM.
 */
class NoBlockingOnDefaultSpec : FunSpec({

  beforeSpec { StoreCallsBlock.install() }

  test("the check works: a blocking store call made directly on Dispatchers.Default fails") {
    withStore { store ->
      shouldThrow<BlockingOperationError> { withContext(Dispatchers.Default) { store.store.get("k".encodeToByteArray()) } }
      shouldThrow<BlockingOperationError> { withContext(Dispatchers.Default) { store.store.put("k", "v") } }
      shouldThrow<BlockingOperationError> { withContext(Dispatchers.Default) { Thread.sleep(1) } }
    }
  }

  test("every suspend operation, called from Dispatchers.Default, runs its blocking calls elsewhere") {
    val dir = Files.createTempDirectory("cairn-coroutines-")
    try {
      val store = withContext(Dispatchers.Default) { CairnStore.open(dir) }
      try {
        withContext(Dispatchers.Default) {
          val counter = key<Long>("counter")
          store["a"] = "1"
          store.put(byteArrayOf(1), byteArrayOf(2))
          store["a"] shouldBe "1"
          store.compareAndSet("a", "1", "2").shouldBeTrue()
          store.update("a") { (it!!.toInt() + 1).toString() } shouldBe "3"
          store.delete("a").shouldBeTrue()
          store.write(WriteBatch.create().put("b", "1"))
          store.write { put(counter, 1L) }
          store[counter] = 2L
          store.update(counter) { (it ?: 0L) + 1 } shouldBe 3L
          store.compareAndSet(counter, 3L, 4L).shouldBeTrue()
          store.state(counter, 0L).update { it + 1 } shouldBe 5L
          store.flush()
          store.compact()
          store.stats().keys() shouldBe 3L
        }
      } finally {
        withContext(Dispatchers.IO) { store.close() }
      }
    } finally {
      deleteRecursively(dir)
    }
  }

  test("every flow, collected on Dispatchers.Default, runs its blocking calls elsewhere") {
    withStore { store ->
      withContext(Dispatchers.Default) {
        store["user:1"] = "ada"
        store["user:2"] = "alan"
        withTimeout(5.seconds) {
          store.scanPrefix("user:").map { it.valueString() }.toList() shouldContainExactly listOf("ada", "alan")
          store.watch("user:1").first() shouldBe "ada"
          store.state(key<Int>("visits"), 0).data.first() shouldBe 0
          store.changes(ChangeQuery.after(0), store.lastSequence()).toList().size shouldBe 2
          store.changes(ChangeQuery.snapshotThenTail().range(KeyRange.prefix("user:"))).first().keyString() shouldBe "user:1"
        }
        // a watch that waits for a later write: the wait itself must not park a Default thread
        val later = async { withTimeout(5.seconds) { store.watch("user:3").first { it != null } } }
        delay(100)
        store["user:3"] = "grace"
        later.await() shouldBe "grace"
      }
    }
  }
})

/** Marks the public methods of the store's implementation classes that may block as blocking. */
private object StoreCallsBlock : BlockHoundIntegration {
  private val nonBlocking = setOf("directory", "lastSequence", "position", "onAvailable", "sequence", "asMap",
    "toString", "hashCode", "equals")
  private val implementations: List<Class<*>> by lazy {
    val dir = Files.createTempDirectory("cairn-blockhound-")
    try {
      Store.open(dir).use { store ->
        listOf(
          store.javaClass,
          store.scan(KeyRange.all()).use { it.javaClass },
          store.changes(ChangeQuery.fromNow()).use { it.javaClass },
          store.snapshot().use { it.javaClass },
        )
      }
    } finally {
      deleteRecursively(dir)
    }
  }

  @Volatile private var installed = false

  @Synchronized
  fun install() {
    if (!installed) {
      BlockHound.install(this)
      installed = true
    }
  }

  override fun applyTo(builder: BlockHound.Builder) {
    for (type in implementations) {
      for (method in type.declaredMethods) {
        if (Modifier.isPublic(method.modifiers) && !Modifier.isStatic(method.modifiers) && !method.isBridge &&
          !method.isSynthetic && method.name !in nonBlocking
        ) {
          builder.markAsBlocking(type, method.name, descriptor(method))
        }
      }
    }
  }

  private fun descriptor(method: Method): String =
    method.parameterTypes.joinToString("", "(", ")") { descriptor(it) } + descriptor(method.returnType)

  private fun descriptor(type: Class<*>): String = when {
    type.isArray -> type.name.replace('.', '/')
    type == Void.TYPE -> "V"
    type == java.lang.Boolean.TYPE -> "Z"
    type == java.lang.Byte.TYPE -> "B"
    type == java.lang.Character.TYPE -> "C"
    type == java.lang.Short.TYPE -> "S"
    type == java.lang.Integer.TYPE -> "I"
    type == java.lang.Long.TYPE -> "J"
    type == java.lang.Float.TYPE -> "F"
    type == java.lang.Double.TYPE -> "D"
    else -> "L" + type.name.replace('.', '/') + ";"
  }
}
