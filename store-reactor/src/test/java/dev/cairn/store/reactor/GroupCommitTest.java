package dev.cairn.store.reactor;

import static dev.cairn.store.reactor.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.Durability;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Writes go through {@code Store.writeAsync}, so concurrent {@code put} Monos join the store's group
 * commit: under {@link Durability#SYNC} they share fsyncs instead of paying one each, and no thread
 * waits for a write.
 */
class GroupCommitTest {
  private static final int WRITES = 10_000;

  @TempDir Path dir;

  @Test
  void tenThousandConcurrentPutsOnASyncStoreCompleteWithFarFewerFsyncsThanWrites() {
    try (Store store = Store.open(dir, StoreOptions.builder().durability(Durability.SYNC).build())) {
      ReactiveStore reactive = ReactiveStore.wrap(store);
      long fsyncsBefore = store.stats().fsyncs();
      long start = System.nanoTime();
      List<Long> sequences = Flux.range(0, WRITES)
          .flatMap(i -> reactive.put(utf8("key-" + i), utf8("value-" + i)).subscribeOn(Schedulers.parallel()), WRITES)
          .collectList()
          .block(Duration.ofSeconds(60));
      long millis = (System.nanoTime() - start) / 1_000_000;
      long fsyncs = store.stats().fsyncs() - fsyncsBefore;
      System.out.printf("%,d concurrent put Monos on a SYNC store: %,d fsyncs (%.1f writes per fsync), %,d ms%n",
          WRITES, fsyncs, (double) WRITES / Math.max(1, fsyncs), millis);
      assertEquals(WRITES, new HashSet<>(sequences).size(), "every put gets its own sequence");
      assertEquals(WRITES, store.stats().keys());
      assertTrue(fsyncs >= 1, "a SYNC store acknowledged writes without an fsync");
      assertTrue(fsyncs < 2_000, WRITES + " puts took " + fsyncs + " fsyncs: they did not share them");
    }
  }
}
