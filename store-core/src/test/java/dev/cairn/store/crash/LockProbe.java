package dev.cairn.store.crash;

import dev.cairn.store.Store;
import dev.cairn.store.StoreLockedException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A child JVM of {@link CrossProcessLockTest} that tries to open a store, driven line by line over
 * stdin so that the parent can start two of them and release them at the same moment.
 *
 * <p>Usage: {@code LockProbe <dir> <tag> <holdMillis>}. Prints {@code ready}, waits for a line
 * {@code go}, then calls {@link Store#open}:
 * <ul>
 *   <li>on {@link StoreLockedException}: prints {@code locked <message>}, exits with {@link #LOCKED};
 *   <li>on success: prints {@code won}, puts {@code winner-<tag> = <tag>}, holds the store at least
 *       {@code holdMillis} and until stdin gives a line (the parent's {@code release}) or ends,
 *       closes it, prints {@code closed} and exits with {@link #WON};
 *   <li>on anything else: prints the stack trace on stderr, exits with {@link #FAILED}.
 * </ul>
 */
public final class LockProbe {
  static final int WON = 0;
  static final int FAILED = 1;
  static final int LOCKED = 3;

  private LockProbe() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    String tag = args[1];
    long holdMillis = Long.parseLong(args[2]);
    try {
      BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      say("ready " + StoreLockedException.class.getSimpleName()); // loads the classes the race needs
      if (!"go".equals(stdin.readLine())) {
        throw new IllegalStateException("expected 'go' on stdin");
      }
      Store store;
      try {
        store = Store.open(dir);
      } catch (StoreLockedException e) {
        say("locked " + e.getMessage());
        Runtime.getRuntime().halt(LOCKED);
        return;
      }
      say("won");
      store.put("winner-" + tag, tag);
      Thread.sleep(holdMillis);
      stdin.readLine();
      store.close();
      say("closed");
    } catch (Throwable t) {
      t.printStackTrace();
      System.err.flush();
      Runtime.getRuntime().halt(FAILED);
    }
    Runtime.getRuntime().halt(WON);
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
