package dev.cairn.samples.webflux;

import dev.cairn.store.Store;
import dev.cairn.store.reactor.ReactiveStore;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The store and its reactive view. The application context owns the {@link Store}: it opens it at
 * start-up (taking the directory's lock) and closes it at shutdown, after the web server stopped.
 * {@link ReactiveStore} owns nothing, so it is a plain bean over the store.
 */
@Configuration(proxyBeanMethods = false)
class CairnConfiguration {

  @Bean(destroyMethod = "close")
  Store cairnStore(@Value("${cairn.store-dir:./webflux-data}") Path directory) {
    return Store.open(directory);
  }

  @Bean
  ReactiveStore reactiveStore(Store cairnStore) {
    return ReactiveStore.wrap(cairnStore);
  }
}
