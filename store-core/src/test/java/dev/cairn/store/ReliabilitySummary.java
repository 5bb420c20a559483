package dev.cairn.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * The figures of the reliability suite (crash points tried, kills, offsets corrupted, fuzz inputs,
 * acknowledged writes lost), collected from the tests that produce them and printed together when
 * the test run ends, so that one look at a build log (or at {@code target/reliability-summary.txt})
 * gives the figures that README's "Durability and recovery" section quotes.
 *
 * <p>Tests call {@link #record}; the {@link Listener}, registered with the JUnit Platform through
 * {@code META-INF/services}, prints the collected lines after the last test. Thread-safe.
 */
public final class ReliabilitySummary {
  private static final List<String> LINES = new ArrayList<>();
  private static final Path FILE = Path.of("target", "reliability-summary.txt");

  private ReliabilitySummary() {}

  /** Records (and prints at once) one line of figures of {@code area}, e.g. {@code "kill-9"}. */
  public static void record(String area, String figures) {
    String line = "RELIABILITY " + area + ": " + figures;
    System.out.println(line);
    synchronized (LINES) {
      LINES.add(line);
    }
  }

  /**
   * Like {@link #record}, but replaces the line that an earlier call recorded for {@code area}: for
   * running totals that several test classes add to.
   */
  public static void replace(String area, String figures) {
    String prefix = "RELIABILITY " + area + ": ";
    synchronized (LINES) {
      LINES.removeIf(line -> line.startsWith(prefix));
    }
    record(area, figures);
  }

  /** Prints the recorded lines at the end of the test plan and writes them to {@code target/reliability-summary.txt}. */
  public static final class Listener implements TestExecutionListener {
    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
      synchronized (LINES) {
        LINES.clear();
      }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
      List<String> lines;
      synchronized (LINES) {
        lines = List.copyOf(LINES);
      }
      if (lines.isEmpty()) {
        return;
      }
      StringBuilder text = new StringBuilder("---- reliability summary ----\n");
      lines.forEach(line -> text.append(line).append('\n'));
      System.out.print(text);
      try {
        if (Files.isDirectory(FILE.getParent())) {
          Files.writeString(FILE, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        }
      } catch (IOException e) {
        System.out.println("could not write " + FILE.toAbsolutePath() + ": " + e);
      }
    }
  }
}
