package dev.cairn.samples.webflux;

import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.reactor.ReactiveStore;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON documents by key: {@code GET}, {@code PUT} and {@code DELETE /kv/{key}}, and {@code GET
 * /kv?prefix=} streaming every document whose key starts with the prefix, in key order, as
 * newline-delimited JSON (or a JSON array for {@code Accept: application/json}). Keys are stored
 * as their UTF-8 bytes; documents as compact JSON.
 */
@RestController
class DocumentController {
  private final ReactiveStore store;
  private final JsonMapper json;

  DocumentController(ReactiveStore store, JsonMapper json) {
    this.store = store;
    this.json = json;
  }

  /** One document of a listing. */
  record Document(String key, long sequence, JsonNode value) {}

  /** The answer to a write: the sequence of its commit, a resume point for {@code /changes}. */
  record Written(String key, long sequence) {}

  @GetMapping(path = "/kv/{key}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<byte[]>> get(@PathVariable("key") String key) {
    return store.get(utf8(key))
        .map(document -> ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(document))
        .defaultIfEmpty(ResponseEntity.notFound().build());
  }

  @PutMapping(path = "/kv/{key}", consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<Written> put(@PathVariable("key") String key, @RequestBody byte[] body) {
    byte[] document = compact(body);
    return store.put(utf8(key), document).map(sequence -> new Written(key, sequence));
  }

  @DeleteMapping("/kv/{key}")
  Mono<ResponseEntity<Void>> delete(@PathVariable("key") String key) {
    return store.delete(utf8(key))
        .map(deleted -> deleted ? ResponseEntity.noContent().build() : ResponseEntity.notFound().build());
  }

  @GetMapping(path = "/kv", produces = {MediaType.APPLICATION_NDJSON_VALUE, MediaType.APPLICATION_JSON_VALUE})
  Flux<Document> list(@RequestParam(name = "prefix", defaultValue = "") String prefix) {
    return store.scan(KeyRange.prefix(prefix)).map(this::document);
  }

  private Document document(Entry e) {
    return new Document(e.keyString(), e.sequence(), json.readTree(e.value()));
  }

  /** The body as compact JSON; 400 if it is not JSON. */
  private byte[] compact(byte[] body) {
    try {
      return json.writeValueAsBytes(json.readTree(body));
    } catch (JacksonException e) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "the body is not JSON: " + e.getOriginalMessage());
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
