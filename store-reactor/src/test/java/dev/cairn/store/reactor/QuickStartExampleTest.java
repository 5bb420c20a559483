package dev.cairn.store.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Codec;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/** The quick start of README.md ("Reactive (Project Reactor) quick start"), run as written, so the document cannot drift. */
class QuickStartExampleTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void theReadmeQuickStartRunsAndShowsWhatItSays() {
    try (Store store = Store.open(dir)) {                       // the application owns and closes the store
      ReactiveStore reactive = ReactiveStore.wrap(store);       // blocking calls run on boundedElastic()
      TypedReactiveStore<String, String> users = reactive.typed(Codec.utf8(), Codec.utf8());

      Long sequence = users.put("user:1", "Ada").block(TIMEOUT);            // once durable: the commit's sequence
      Optional<String> missing = users.get("user:9").blockOptional(TIMEOUT); // empty, never null

      List<Map.Entry<String, String>> firstTen = users.put("user:2", "Alan")
          .thenMany(users.scan(KeyRange.prefix("user:")).take(10))  // read as requested: ~10 entries
          .collectList().block(TIMEOUT);

      List<String> feed = reactive.changes(ChangeQuery.after(0).range(KeyRange.prefix("user:")))
          .map(c -> c.sequence() + " " + c.kind() + " " + c.keyString())
          .take(2)                                              // a feed never completes by itself
          .collectList().block(TIMEOUT);

      List<Optional<String>> watched = new CopyOnWriteArrayList<>();
      Disposable watching = users.watch("user:1")               // current value, then each new one
          .subscribe(watched::add);
      Waits.until(() -> watched.size() == 1, TIMEOUT, "the current value");
      users.put("user:1", "Ada King").block(TIMEOUT);
      Waits.until(() -> watched.size() == 2, TIMEOUT, "the new value");
      watching.dispose();                                       // closes the watch's change cursor

      assertEquals(1L, sequence);
      assertEquals(Optional.empty(), missing);
      assertEquals(List.of(Map.entry("user:1", "Ada"), Map.entry("user:2", "Alan")), firstTen);
      assertEquals(List.of("1 PUT user:1", "2 PUT user:2"), feed);
      assertEquals(List.of(Optional.of("Ada"), Optional.of("Ada King")), watched);
    }
  }
}
