package dev.cairn.store.reactor;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** UTF-8 helpers for the tests. */
final class TestBytes {
  private TestBytes() {}

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The watched value as text, or "<absent>". */
  static String text(Optional<byte[]> value) {
    return value.map(TestBytes::text).orElse("<absent>");
  }
}
