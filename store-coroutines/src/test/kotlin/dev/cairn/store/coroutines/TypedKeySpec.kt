package dev.cairn.store.coroutines

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeFalse
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import io.kotest.property.Arb
import io.kotest.property.arbitrary.bind
import io.kotest.property.arbitrary.int
import io.kotest.property.arbitrary.list
import io.kotest.property.arbitrary.orNull
import io.kotest.property.arbitrary.string
import io.kotest.property.checkAll
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.withTimeout
import kotlinx.serialization.Serializable
import kotlinx.serialization.SerializationException
import kotlinx.serialization.json.Json

@Serializable
data class Settings(val theme: String, val fontSize: Int, val tags: List<String> = emptyList(), val note: String? = null)

@Serializable
data class SettingsV2(val theme: String, val fontSize: Double, val accent: String)

@Serializable
data class Positive(val n: Int) {
  init {
    require(n > 0) { "n must be positive: $n" }
  }
}

private val SettingsKey = key<Settings>("settings")

class TypedKeySpec : FunSpec({

  test("a typed value round-trips through its key") {
    withStore { store ->
      store[SettingsKey] shouldBe null
      val settings = Settings("dark", 14, listOf("a", "b"))
      store[SettingsKey] = settings
      store[SettingsKey] shouldBe settings
      store.put(SettingsKey, settings.copy(fontSize = 16)) shouldBe store.lastSequence()
      store[SettingsKey] shouldBe settings.copy(fontSize = 16)
    }
  }

  test("typed values are stored as JSON under the UTF-8 key name") {
    withStore { store ->
      store[SettingsKey] = Settings("light", 12)
      store["settings"] shouldBe """{"theme":"light","fontSize":12}"""
    }
  }

  test("any generated value round-trips (property)") {
    val settings = Arb.bind(Arb.string(0..20), Arb.int(), Arb.list(Arb.string(0..5), 0..4), Arb.string(0..10).orNull()) { t, f, tags, n ->
      Settings(t, f, tags, n)
    }
    withStore { store ->
      checkAll(50, settings) { value ->
        store[SettingsKey] = value
        store[SettingsKey] shouldBe value
      }
    }
  }

  test("the configured Json encodes and decodes the values") {
    withStore({ json = Json { encodeDefaults = true } }) { store ->
      store[SettingsKey] = Settings("dark", 10)
      store["settings"] shouldBe """{"theme":"dark","fontSize":10,"tags":[],"note":null}"""
      store[SettingsKey] shouldBe Settings("dark", 10)
    }
  }

  test("a value whose type changed fails with ValueDecodingException naming the key") {
    withStore { store ->
      store[SettingsKey] = Settings("dark", 14)
      val error = shouldThrow<ValueDecodingException> { store[key<SettingsV2>("settings")] }
      error.key shouldBe "settings"
      error.message shouldContain "'settings'"
      error.message shouldContain "SettingsV2"
      error.cause.shouldBeInstanceOf<SerializationException>()
    }
  }

  test("bytes that are not JSON at all fail with ValueDecodingException, not a cast error") {
    withStore { store ->
      store["settings"] = "not json"
      shouldThrow<ValueDecodingException> { store[SettingsKey] }.key shouldBe "settings"
      store["n"] = "\"a string\""
      shouldThrow<ValueDecodingException> { store[key<Int>("n")] }
    }
  }

  test("a value the type's own checks reject fails with ValueDecodingException") {
    withStore { store ->
      store["p"] = """{"n":-1}"""
      val error = shouldThrow<ValueDecodingException> { store[key<Positive>("p")] }
      error.cause.shouldBeInstanceOf<IllegalArgumentException>()
    }
  }

  test("a typed watch fails with ValueDecodingException when the stored value does not decode") {
    withStore { store ->
      store["settings"] = "[1, 2]"
      shouldThrow<ValueDecodingException> { withTimeout(5.seconds) { store.watch(SettingsKey).first() } }
    }
  }

  test("typed compareAndSet compares decoded values") {
    withStore { store ->
      val flag = key<Boolean>("flag")
      store.compareAndSet(flag, null, false).shouldBeTrue()
      store.compareAndSet(flag, true, true).shouldBeFalse()
      store["flag"] = " false " // another encoding of an equal value
      store.compareAndSet(flag, false, true).shouldBeTrue()
      store[flag] shouldBe true
      store.compareAndSet(flag, true, null).shouldBeTrue()
      store[flag] shouldBe null
    }
  }

  test("typed update transforms the decoded value and writes nothing when it is unchanged") {
    withStore { store ->
      val visits = key<Long>("visits")
      store.update(visits) { (it ?: 0L) + 1 } shouldBe 1L
      store.update(visits) { (it ?: 0L) + 1 } shouldBe 2L
      val before = store.lastSequence()
      store.update(visits) { it } shouldBe 2L
      store.lastSequence() shouldBe before
      store.delete(visits).shouldBeTrue()
      store[visits] shouldBe null
    }
  }

  test("typed keys with the same name and type are equal") {
    key<Settings>("settings") shouldBe SettingsKey
    (key<Int>("settings") == key<Int>("other")).shouldBeFalse()
  }
})
