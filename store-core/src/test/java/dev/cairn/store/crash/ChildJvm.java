package dev.cairn.store.crash;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A second JVM running a {@code main} class of the test sources, on the same {@code java} binary and
 * class path as this one (see {@link #childClassPath()}): the way crash and lock tests get a
 * process they can kill or race.
 *
 * <p>Its stdout goes to a file that a daemon thread tails line by line ({@link #nextLine}, {@link
 * #awaitExitAndDrain}); its stderr goes to a file that failure messages quote; its stdin is a pipe
 * from this JVM, which the children treat as their lifeline (they exit when it closes, so none
 * outlives a dead test run). Not thread-safe: one test thread drives it. {@link #close()} kills the
 * process if it is still alive.
 */
final class ChildJvm implements AutoCloseable {
  /** Exit status of a process killed by SIGKILL, as {@link Process#exitValue()} reports it on Linux. */
  static final int SIGKILL_EXIT = 128 + 9;

  private static final String EOF = new String("<eof>"); // identity marks the end of stdout

  private static String childClassPath; // guarded by ChildJvm.class

  private final String name;
  private final Process process;
  private final Path stdoutFile;
  private final Path stderrFile;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final OutputStream stdin;
  private boolean eofSeen;

  private ChildJvm(String name, Process process, Path stdoutFile, Path stderrFile) {
    this.name = name;
    this.process = process;
    this.stdoutFile = stdoutFile;
    this.stderrFile = stderrFile;
    this.stdin = process.getOutputStream();
    Thread reader = new Thread(this::pumpStdout, "stdout-of-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code mainClass} with {@code args}; its stdout and stderr go to files named after it in {@code logDir}. */
  static ChildJvm start(Path logDir, String name, Class<?> mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    // The JVM's own warnings go to stdout by default, where they would break the line protocol
    // (a stale hsperfdata file of a reused process id once made a child's first line a warning).
    command.add("-XX:-UsePerfData");
    command.add("-Xlog:disable");
    command.add("-Xlog:all=warning:stderr");
    command.add("-cp");
    command.add(childClassPath());
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    Files.createDirectories(logDir);
    Path stdoutFile = logDir.resolve(name + ".stdout");
    Path stderrFile = logDir.resolve(name + ".stderr");
    Process process = new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.to(stdoutFile.toFile()))
        .redirectError(ProcessBuilder.Redirect.to(stderrFile.toFile()))
        .start();
    return new ChildJvm(name, process, stdoutFile, stderrFile);
  }

  /**
   * This JVM's class path ({@code java.class.path}, which Surefire sets to the test class path),
   * with its directories copied once per JVM: a rebuild while the tests run (a concurrent {@code mvn
   * compile} rewrites {@code target/classes}) can then neither remove classes from under a child
   * starting later nor give it another engine than the first children had.
   */
  private static synchronized String childClassPath() throws IOException {
    if (childClassPath == null) {
      Path root = Files.createTempDirectory("cairn-child-classpath");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
      List<String> entries = new ArrayList<>();
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        Path source = Path.of(entry);
        if (Files.isDirectory(source)) {
          Path copy = root.resolve(Integer.toString(entries.size()));
          try (Stream<Path> tree = Files.walk(source)) {
            for (Path p : tree.toList()) {
              Files.copy(p, copy.resolve(source.relativize(p).toString()));
            }
          }
          entries.add(copy.toString());
        } else {
          entries.add(entry);
        }
      }
      childClassPath = String.join(File.pathSeparator, entries);
    }
    return childClassPath;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> tree = Files.walk(root)) {
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary directory: the system cleans it eventually
    }
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * Tails the stdout file into {@link #lines}. A file, not a pipe: what the child wrote before it
   * died stays readable, and no JDK reaper races this thread for the last bytes of a pipe.
   */
  private void pumpStdout() {
    try (InputStream in = Files.newInputStream(stdoutFile)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      byte[] buffer = new byte[64 * 1024];
      for (;;) {
        boolean exited = !process.isAlive(); // before the read: bytes written before the exit are read
        int n = in.read(buffer);
        if (n > 0) {
          for (int i = 0; i < n; i++) {
            if (buffer[i] == '\n') {
              lines.add(line.toString(StandardCharsets.UTF_8));
              line.reset();
            } else {
              line.write(buffer[i]);
            }
          }
        } else if (exited) {
          break;
        } else {
          Thread.sleep(1);
        }
      }
      if (line.size() > 0) {
        lines.add(line.toString(StandardCharsets.UTF_8)); // a last line cut by the kill
      }
    } catch (IOException e) {
      lines.add("<stdout read failed: " + e + ">");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lines.add(EOF);
    }
  }

  Process process() {
    return process;
  }

  /** The next stdout line, or null when stdout ended or nothing came within {@code timeoutMillis}. */
  String nextLine(long timeoutMillis) throws InterruptedException {
    if (eofSeen) {
      return null;
    }
    String line = lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    if (line == EOF) {
      eofSeen = true;
      return null;
    }
    return line;
  }

  /** Waits for the next stdout line; fails (quoting stderr) if the child ends or is silent for {@code timeoutMillis}. */
  String expectLine(long timeoutMillis) throws InterruptedException {
    String line = nextLine(timeoutMillis);
    if (line == null) {
      throw new AssertionError(name + " printed nothing within " + timeoutMillis + " ms (alive="
          + process.isAlive() + ")" + stderrForMessage());
    }
    return line;
  }

  /** Sends one line to the child's stdin. */
  void send(String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  /** Kills the process with SIGKILL (on Linux) and waits for it to be gone. */
  void killNine() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " survived destroyForcibly for 30 s");
    }
  }

  /** Waits for the process to exit and for its stdout to end; returns every line not yet taken. */
  List<String> awaitExitAndDrain(long timeoutMillis) throws InterruptedException {
    if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not exit within " + timeoutMillis + " ms" + stderrForMessage());
    }
    List<String> rest = new ArrayList<>();
    for (String line; (line = nextLine(timeoutMillis)) != null; ) {
      rest.add(line);
    }
    if (!eofSeen) {
      throw new AssertionError(name + " exited but its stdout did not end within " + timeoutMillis + " ms");
    }
    return rest;
  }

  /** The child's stderr so far, formatted to append to a failure message (empty if there is none). */
  String stderrForMessage() {
    try {
      String text = Files.exists(stderrFile) ? Files.readString(stderrFile, StandardCharsets.UTF_8) : "";
      return text.isBlank() ? "" : "\n--- stderr of " + name + " ---\n" + text;
    } catch (IOException e) {
      return "\n(stderr of " + name + " unreadable: " + e + ")";
    }
  }

  /** Kills the process if it is still alive, and waits a while for it to be gone. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      stdin.close();
    } catch (IOException e) {
      // the pipe is already broken: the child is gone
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
