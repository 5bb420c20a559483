package dev.cairn.samples.webflux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.reactor.ReactiveStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client resuming before the retained change history gets 410 Gone with the store's explanation,
 * not a 200 stream that silently skips changes. The controller runs alone over a store whose
 * retention keeps no history beyond what recovery needs.
 */
class ChangeStreamHistoryLostTest {
  @TempDir Path dir;

  @Test
  void resumingBeforeTheRetainedHistoryAnswers410WithTheOldestAvailableSequence() {
    StoreOptions noHistory = StoreOptions.builder().walRotateBytes(64 * 1024).changeRetention(0, null).build();
    try (Store store = Store.open(dir, noHistory)) {
      String padding = "p".repeat(1_000);
      for (int i = 0; i < 600; i++) {
        store.put("doc:" + (i % 50), "{\"i\":" + i + ",\"pad\":\"" + padding + "\"}"); // ~600 KB: WALs rotate
      }
      store.compact(); // packs the rotated WALs into segments; retention then deletes them
      WebTestClient client = WebTestClient
          .bindToController(new ChangeStreamController(ReactiveStore.wrap(store), JsonMapper.builder().build()))
          .build();
      String body = client.get().uri("/changes").header("Last-Event-ID", "1").accept(MediaType.TEXT_EVENT_STREAM)
          .exchange()
          .expectStatus().isEqualTo(410)
          .expectBody(String.class).returnResult().getResponseBody();
      assertEquals(true, body.startsWith("changes after sequence 1 are no longer retained"), body);
    }
  }
}
