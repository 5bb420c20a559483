package dev.cairn.benchmarks.compare;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The figures one engine's forked JVM hands back to {@link Compare}: a properties file with, per
 * workload id, {@code id.value} (a number) and {@code id.note} (how it was measured), plus free
 * keys such as {@code settings.fill}. Not thread-safe.
 */
final class Results {
  private final Properties properties = new Properties();

  void put(String workload, double value, String note) {
    properties.setProperty(workload + ".value", Double.toString(value));
    properties.setProperty(workload + ".note", note);
  }

  void putText(String key, String text) {
    properties.setProperty(key, text);
  }

  /** The figure of {@code workload}, or NaN when it was not measured. */
  double value(String workload) {
    String value = properties.getProperty(workload + ".value");
    return value == null ? Double.NaN : Double.parseDouble(value);
  }

  String note(String workload) {
    return properties.getProperty(workload + ".note", "");
  }

  String text(String key) {
    return properties.getProperty(key, "");
  }

  void addAll(Results other) {
    properties.putAll(other.properties);
  }

  void write(Path file) {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      properties.store(out, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Results read(Path file) {
    Results results = new Results();
    if (Files.exists(file)) {
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        results.properties.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return results;
  }
}
