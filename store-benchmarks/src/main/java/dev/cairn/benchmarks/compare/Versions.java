package dev.cairn.benchmarks.compare;

import dev.cairn.benchmarks.engines.KvEngine;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;

/** The version of an engine's library, read from the name of the jar its classes came from. */
final class Versions {
  private Versions() {}

  static String of(KvEngine engine) {
    CodeSource source = engine.libraryClass().getProtectionDomain().getCodeSource();
    if (source == null) {
      return "unknown";
    }
    try {
      Path location = Path.of(source.getLocation().toURI());
      String name = location.getFileName().toString();
      if (name.endsWith(".jar")) {
        return name.substring(0, name.length() - ".jar".length());
      }
      // A classes directory: the module built in this checkout.
      return "this checkout (" + location.getParent().getParent().getFileName() + ")";
    } catch (URISyntaxException e) {
      return source.getLocation().toString();
    }
  }
}
