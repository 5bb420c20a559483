package dev.cairn.store.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The worked examples printed in docs/FORMAT.md. An example is a code block opened by the line
 * {@code ```hex example:NAME}, each of whose lines is an offset, up to 8 hex bytes and a comment
 * ({@link HexLayout#render()}). Read at test time, relative to the store-core module directory.
 */
final class FormatDoc {
  static final Path PATH = Path.of("..", "docs", "FORMAT.md");

  private static final Pattern LINE =
      Pattern.compile("([0-9a-f]{4})  ((?:[0-9a-f]{2} )*[0-9a-f]{2})(?:  +(.*))?");

  private FormatDoc() {}

  /** The text of example {@code name}, without its fences, each line ending in a newline. */
  static String exampleText(String name) {
    List<String> lines = lines();
    String open = "```hex example:" + name;
    int start = lines.indexOf(open);
    if (start < 0 || lines.lastIndexOf(open) != start) {
      throw new AssertionError(PATH + " must hold exactly one code block opened by " + open);
    }
    StringBuilder text = new StringBuilder();
    for (int i = start + 1; !lines.get(i).equals("```"); i++) {
      if (i == lines.size() - 1) {
        throw new AssertionError("example " + name + " in " + PATH + " has no closing fence");
      }
      text.append(lines.get(i)).append('\n');
    }
    return text.toString();
  }

  /** The bytes of example {@code name}; checks that every line's offset follows the previous line. */
  static byte[] exampleBytes(String name) {
    String[] lines = exampleText(name).split("\n");
    byte[] out = new byte[lines.length * HexLayout.BYTES_PER_LINE];
    int size = 0;
    for (String line : lines) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("example " + name + ": malformed dump line: " + line);
      }
      if (Integer.parseInt(m.group(1), 16) != size) {
        throw new AssertionError("example " + name + ": line should start at offset "
            + String.format("%04x", size) + ": " + line);
      }
      for (String hex : m.group(2).split(" ")) {
        out[size++] = (byte) Integer.parseInt(hex, 16);
      }
    }
    return Arrays.copyOf(out, size);
  }

  private static List<String> lines() {
    try {
      return Files.readAllLines(PATH, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + PATH.toAbsolutePath(), e);
    }
  }
}
