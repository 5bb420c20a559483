package dev.cairn.samples.webflux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

/**
 * The WebFlux sample over a real server on a random port, with its store in a temporary directory:
 * documents by key, prefix listings as NDJSON, and the change stream as server-sent events that a
 * client resumes with {@code Last-Event-ID}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class WebFluxSampleTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ParameterizedTypeReference<ServerSentEvent<JsonNode>> EVENT =
      new ParameterizedTypeReference<>() {};

  @TempDir static Path dataDir;

  @DynamicPropertySource
  static void storeDirectory(DynamicPropertyRegistry registry) {
    registry.add("cairn.store-dir", () -> dataDir.toString());
  }

  @Autowired WebTestClient client;

  private long put(String key, String document) {
    JsonNode written = client.put().uri("/kv/{key}", key)
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(document)
        .exchange()
        .expectStatus().isOk()
        .expectBody(JsonNode.class).returnResult().getResponseBody();
    assertEquals(key, written.get("key").asString());
    return written.get("sequence").asLong();
  }

  private List<ServerSentEvent<JsonNode>> firstEvents(WebTestClient.RequestHeadersSpec<?> request, int count) {
    Flux<ServerSentEvent<JsonNode>> events = request.accept(MediaType.TEXT_EVENT_STREAM)
        .exchange()
        .expectStatus().isOk()
        .returnResult(EVENT)
        .getResponseBody();
    return events.filter(e -> e.id() != null).take(count).collectList().block(TIMEOUT); // skips keep-alive comments
  }

  @Test
  void aDocumentPutIsReturnedByGetAndAbsentKeysAre404() {
    long sequence = put("doc:put-get", "{ \"name\": \"Ada\", \"tags\": [\"math\"] }");
    client.get().uri("/kv/doc:put-get").exchange()
        .expectStatus().isOk()
        .expectHeader().contentType(MediaType.APPLICATION_JSON)
        .expectBody().json("{\"name\":\"Ada\",\"tags\":[\"math\"]}");
    client.get().uri("/kv/doc:never-written").exchange().expectStatus().isNotFound();
    assertEquals(true, sequence > 0);
  }

  @Test
  void aBodyThatIsNotJsonIsRejectedWith400AndNotStored() {
    client.put().uri("/kv/doc:bad").contentType(MediaType.APPLICATION_JSON).bodyValue("{not json")
        .exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.message").value(String.class,
            message -> assertEquals(true, message.startsWith("the body is not JSON"), message));
    client.get().uri("/kv/doc:bad").exchange().expectStatus().isNotFound();
  }

  @Test
  void deleteAnswers204ThenTheKeyIs404AndASecondDeleteIs404() {
    put("doc:delete", "{\"n\":1}");
    client.delete().uri("/kv/doc:delete").exchange().expectStatus().isNoContent();
    client.get().uri("/kv/doc:delete").exchange().expectStatus().isNotFound();
    client.delete().uri("/kv/doc:delete").exchange().expectStatus().isNotFound();
  }

  @Test
  void aPrefixListingStreamsMatchingDocumentsInKeyOrderAsNdjsonOrAJsonArray() {
    put("list:b", "{\"n\":2}");
    put("list:a", "{\"n\":1}");
    put("listing-not-matched", "{\"n\":3}");
    Flux<JsonNode> lines = client.get().uri("/kv?prefix=list:").accept(MediaType.APPLICATION_NDJSON)
        .exchange()
        .expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
        .returnResult(JsonNode.class).getResponseBody();
    StepVerifier.create(lines)
        .expectNextMatches(d -> d.get("key").asString().equals("list:a") && d.get("value").get("n").asInt() == 1)
        .expectNextMatches(d -> d.get("key").asString().equals("list:b") && d.get("value").get("n").asInt() == 2)
        .expectComplete()
        .verify(TIMEOUT);
    client.get().uri("/kv?prefix=list:").accept(MediaType.APPLICATION_JSON)
        .exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.length()").isEqualTo(2)
        .jsonPath("$[0].key").isEqualTo("list:a")
        .jsonPath("$[1].value.n").isEqualTo(2);
  }

  @Test
  void theChangeStreamCarriesEachCommitAsAnEventWhoseIdIsItsSequence() {
    long first = put("feed:a", "{\"v\":1}");
    long second = put("feed:b", "{\"v\":2}");
    client.delete().uri("/kv/feed:a").exchange().expectStatus().isNoContent();
    List<ServerSentEvent<JsonNode>> events = firstEvents(client.get().uri("/changes?after={s}", first - 1), 3);
    assertEquals(List.of(Long.toString(first), Long.toString(second), Long.toString(second + 1)),
        events.stream().map(ServerSentEvent::id).toList());
    assertEquals(List.of("put", "put", "delete"), events.stream().map(ServerSentEvent::event).toList());
    assertEquals("feed:a", events.get(0).data().get("key").asString());
    assertEquals(1, events.get(0).data().get("value").get("v").asInt());
    assertEquals(true, events.get(2).data().get("value").isNull(), "a delete carries a null value");
  }

  @Test
  void aClientResumingWithLastEventIdGetsExactlyTheChangesAfterItEvenOverAfter() {
    long first = put("resume:1", "{\"i\":1}");
    long second = put("resume:2", "{\"i\":2}");
    long third = put("resume:3", "{\"i\":3}");
    List<ServerSentEvent<JsonNode>> beforeDisconnect = firstEvents(
        client.get().uri("/changes?after={s}", first - 1), 1);
    String lastEventId = beforeDisconnect.get(0).id();
    assertEquals(Long.toString(first), lastEventId);
    List<ServerSentEvent<JsonNode>> resumed = firstEvents(
        client.get().uri("/changes?after=0").header("Last-Event-ID", lastEventId), 2);
    assertEquals(List.of(Long.toString(second), Long.toString(third)),
        resumed.stream().map(ServerSentEvent::id).toList());
    assertEquals("resume:2", resumed.get(0).data().get("key").asString());
  }

  @Test
  void aLiveStreamDeliversCommitsMadeAfterItOpened() {
    Flux<ServerSentEvent<JsonNode>> live = client.get().uri("/changes").accept(MediaType.TEXT_EVENT_STREAM)
        .exchange().expectStatus().isOk().returnResult(EVENT).getResponseBody();
    Flux<ServerSentEvent<JsonNode>> liveKeys = live.filter(e -> e.data() != null) // skips keep-alive comments
        .filter(e -> e.data().get("key").asString().startsWith("live:"));
    StepVerifier.create(liveKeys.take(2))
        .then(() -> {
          put("live:1", "{\"at\":1}");
          put("live:2", "{\"at\":2}");
        })
        .expectNextMatches(e -> e.data().get("key").asString().equals("live:1"))
        .expectNextMatches(e -> e.data().get("key").asString().equals("live:2"))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void aResumePointThatIsNotASequenceOrNotYetCommittedIs400() {
    client.get().uri("/changes").header("Last-Event-ID", "yesterday").accept(MediaType.TEXT_EVENT_STREAM)
        .exchange().expectStatus().isBadRequest();
    client.get().uri("/changes?after={s}", Long.MAX_VALUE).accept(MediaType.TEXT_EVENT_STREAM)
        .exchange().expectStatus().isBadRequest();
  }
}
