package dev.cairn.store.reactor;

import static dev.cairn.store.reactor.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Codec;
import dev.cairn.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/** {@link ReactiveStore#watch}: current value first, distinct new values, latest-wins, and no lost write. */
class WatchTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private Store store;
  private CountingStore counting;
  private ReactiveStore reactive;

  @BeforeEach
  void open() {
    store = Store.open(dir);
    counting = new CountingStore(store);
    reactive = ReactiveStore.wrap(counting);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void watchEmitsTheCurrentValueThenEachNewValueAndEmptyWhenDeleted() {
    store.put("k", "v1");
    StepVerifier.create(reactive.watch(utf8("k")).map(TestBytes::text))
        .expectNext("v1")
        .then(() -> store.put("k", "v2"))
        .expectNext("v2")
        .then(() -> store.delete("k"))
        .expectNext("<absent>")
        .then(() -> store.put("k", "v3"))
        .expectNext("v3")
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void watchOfAnAbsentKeyStartsWithAnEmptyOptional() {
    StepVerifier.create(reactive.watch(utf8("missing")))
        .expectNext(Optional.empty())
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void repeatedValuesAndWritesToOtherKeysAreNotEmitted() {
    StepVerifier.create(reactive.watch(utf8("k")).map(TestBytes::text))
        .expectNext("<absent>")
        .then(() -> {
          store.put("kk", "longer key");
          store.put("k\u0000", "the exclusive bound of the watched range");
          store.put("j", "smaller key");
          store.put("k", "a");
          store.put("k", "a");
          store.delete("nothing");
          store.put("k", "b");
        })
        .expectNext("a", "b")
        .expectNoEvent(Duration.ofMillis(200))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void aWriteBetweenReadingTheValueAndOpeningTheFeedIsNotLost() {
    store.put("k", "before");
    AtomicBoolean raced = new AtomicBoolean();
    Store racing = new ForwardingStore(store) {
      @Override
      public ChangeCursor changes(ChangeQuery query) {
        if (raced.compareAndSet(false, true)) {
          store.put("k", "written in the gap"); // after the value was read, before the feed opens
        }
        return super.changes(query);
      }
    };
    StepVerifier.create(ReactiveStore.wrap(racing).watch(utf8("k")).map(TestBytes::text))
        .expectNext("before")
        .expectNext("written in the gap")
        .thenCancel()
        .verify(TIMEOUT);
    assertEquals(true, raced.get(), "the gap write must have happened");
  }

  @Test
  void aSlowSubscriberGetsTheLatestValueAndSkipsIntermediateOnes() {
    StepVerifier.create(reactive.watch(utf8("k")).map(TestBytes::text), 1)
        .expectNext("<absent>")
        .then(() -> {
          for (int i = 1; i <= 100; i++) {
            store.put("k", "v" + i);
          }
        })
        .then(() -> Waits.until(() -> counting.lastPolledSequence.get() == store.lastSequence(), TIMEOUT,
            "the feed to read the last write"))
        .thenAwait(Duration.ofMillis(100))
        .thenRequest(1)
        .expectNext("v100")
        .thenRequest(1)
        .expectNoEvent(Duration.ofMillis(200))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void theTypedWatchDecodesEachValue() {
    StepVerifier.create(reactive.typed(Codec.utf8(), Codec.int64()).watch("counter"))
        .expectNext(Optional.empty())
        .then(() -> store.put(utf8("counter"), Codec.int64().encode(1L)))
        .expectNext(Optional.of(1L))
        .then(() -> store.put(utf8("counter"), Codec.int64().encode(2L)))
        .expectNext(Optional.of(2L))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void cancellingAWatchClosesItsChangeCursor() {
    StepVerifier.create(reactive.watch(utf8("k")))
        .expectNext(Optional.empty())
        .then(() -> store.put("k", "v")) // once this arrives, the feed's cursor is open
        .expectNextCount(1)
        .thenCancel()
        .verify(TIMEOUT);
    Waits.until(() -> counting.feedsClosed.get() == 1, TIMEOUT, "the watch's change cursor closed");
    assertEquals(1, counting.feedsOpened.get());
    store.close();
  }
}
