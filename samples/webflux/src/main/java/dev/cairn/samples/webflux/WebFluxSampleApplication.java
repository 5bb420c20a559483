package dev.cairn.samples.webflux;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot WebFlux service that keeps JSON documents in a Cairn store through {@code
 * store-reactor}. Run it with {@code mvn -pl samples/webflux spring-boot:run} (after {@code mvn
 * -pl samples/webflux -am install -DskipTests}); the data directory is the property {@code
 * cairn.store-dir}, {@code ./webflux-data} by default. Endpoints: {@link DocumentController} and
 * {@link ChangeStreamController}.
 */
@SpringBootApplication
public class WebFluxSampleApplication {
  public static void main(String[] args) {
    SpringApplication.run(WebFluxSampleApplication.class, args);
  }
}
