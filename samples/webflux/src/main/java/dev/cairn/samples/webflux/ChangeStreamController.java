package dev.cairn.samples.webflux;

import dev.cairn.store.Change;
import dev.cairn.store.ChangeHistoryLostException;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.reactor.ReactiveStore;
import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /changes}: the store's change feed as server-sent events. Each event's {@code id} is
 * the sequence of its commit, its {@code event} is {@code put} or {@code delete}, and its data is
 * {@code {"key":…,"value":…}} (value null for a delete). A client that reconnects with {@code
 * Last-Event-ID: n} (as a browser's {@code EventSource} does by itself) gets every change after
 * sequence n, none lost and none repeated; {@code ?after=n} does the same for a first connection,
 * and the header wins when both are given. Without either the stream starts at the next commit.
 *
 * <p>Comment lines ({@code : keep-alive}) carry no event; EventSource clients ignore them.
 *
 * <p>Every commit this service makes changes one key, so each event is a whole commit and its id an
 * exact resume point. Resuming before the retained history answers 410 Gone; after the last
 * commit, 400.
 */
@RestController
class ChangeStreamController {
  private final ReactiveStore store;
  private final JsonMapper json;

  ChangeStreamController(ReactiveStore store, JsonMapper json) {
    this.store = store;
    this.json = json;
  }

  /**
   * WebFlux sends the response headers with the first event, so a stream with no commit to report
   * would leave the client waiting for them: a comment line goes out shortly after the feed opened,
   * then every {@link #KEEP_ALIVE_INTERVAL} so that idle connections survive proxies. The first one
   * waits long enough for the feed to open, so that a resume point the store refuses is still
   * answered with an error status rather than after a 200.
   */
  private static final Duration FIRST_KEEP_ALIVE = Duration.ofMillis(250);
  private static final Duration KEEP_ALIVE_INTERVAL = Duration.ofSeconds(15);

  /** The data of one event. */
  record ChangeEvent(String key, JsonNode value) {}

  @GetMapping(path = "/changes", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  Flux<ServerSentEvent<ChangeEvent>> changes(
      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
      @RequestParam(name = "after", required = false) String after) {
    ChangeQuery query;
    if (lastEventId != null && !lastEventId.isBlank()) {
      query = ChangeQuery.after(sequence(lastEventId, "Last-Event-ID"));
    } else if (after != null) {
      query = ChangeQuery.after(sequence(after, "after"));
    } else {
      query = ChangeQuery.fromNow();
    }
    Flux<ServerSentEvent<ChangeEvent>> keepAlive = Flux.interval(FIRST_KEEP_ALIVE, KEEP_ALIVE_INTERVAL)
        .map(tick -> ServerSentEvent.<ChangeEvent>builder().comment("keep-alive").build());
    return store.changes(query).map(this::event).mergeWith(keepAlive);
  }

  private ServerSentEvent<ChangeEvent> event(Change c) {
    byte[] value = c.value();
    return ServerSentEvent.builder(new ChangeEvent(c.keyString(), value == null ? null : json.readTree(value)))
        .id(Long.toString(c.sequence()))
        .event(c.kind() == Change.Kind.DELETE ? "delete" : "put")
        .build();
  }

  private static long sequence(String text, String what) {
    try {
      long sequence = Long.parseLong(text.trim());
      if (sequence >= 0) {
        return sequence;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ResponseStatusException(HttpStatus.BAD_REQUEST, what + " must be a sequence number, got '" + text + "'");
  }

  @ExceptionHandler
  ResponseEntity<String> historyLost(ChangeHistoryLostException e) {
    return ResponseEntity.status(HttpStatus.GONE).contentType(MediaType.TEXT_PLAIN).body(e.getMessage());
  }

  @ExceptionHandler
  ResponseEntity<String> notYetCommitted(IllegalArgumentException e) {
    return ResponseEntity.status(HttpStatus.BAD_REQUEST).contentType(MediaType.TEXT_PLAIN).body(e.getMessage());
  }
}
