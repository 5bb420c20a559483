package dev.cairn.store.crash;

import java.io.IOException;

/**
 * For child JVMs of crash tests: halts the child when its standard input ends, which happens when
 * the parent test closes the pipe or dies, so no child outlives its test.
 */
public final class Lifeline {
  private Lifeline() {}

  /** Starts a daemon thread that halts this JVM once standard input reaches its end. */
  public static void exitWhenStdinCloses() {
    Thread lifeline = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // the parent sends nothing; only the end of the pipe matters
        }
      } catch (IOException e) {
        // a broken pipe means the same as its end
      }
      Runtime.getRuntime().halt(2);
    }, "lifeline");
    lifeline.setDaemon(true);
    lifeline.start();
  }
}
