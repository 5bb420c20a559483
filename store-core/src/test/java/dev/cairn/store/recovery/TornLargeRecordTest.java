package dev.cairn.store.recovery;

import static dev.cairn.store.testing.Op.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.store.Store;
import dev.cairn.store.recovery.FileLayout.WalSpan;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A crash while a large value is appended leaves a long torn record at the end of the newest WAL.
 * To call it a torn tail, recovery must establish that no valid record follows it; that has to
 * cost time about linear in the file, whatever bytes the value holds. The values here are arrays
 * of one big-endian int: at every fourth byte they look like a record header whose length field
 * announces a payload of that many bytes and whose sequence field is higher than any written, so
 * a reader that checksums every such candidate does work proportional to the torn bytes times the
 * announced length.
 */
class TornLargeRecordTest {
  private static final int VALUE_BYTES = 4 << 20;
  private static final long OPEN_BOUND_SECONDS = 10;

  @TempDir Path tmp;

  @ParameterizedTest(name = "value of big-endian ints {0}")
  @ValueSource(ints = {0x00000000, 0x7F7F7F7F, 0x00100000})
  void largeRecordTornInTheMiddle_isDroppedWithinSeconds_whateverBytesTheValueHolds(int repeatedInt) {
    ByteBuffer big = ByteBuffer.allocate(VALUE_BYTES);
    while (big.hasRemaining()) {
      big.putInt(repeatedInt);
    }
    Path dir = tmp.resolve("store");
    long survivor;
    Path crashImage;
    try (Store store = Store.open(dir)) {
      survivor = store.put(utf8("small"), utf8("written first"));
      store.put(utf8("large"), big.array());
      store.flush();
      // A copy now is what a crash would leave (close() would flush a WAL this large into a segment).
      crashImage = StoreDirs.copy(dir, tmp.resolve("crash-image"));
    }
    Path wal = StoreDirs.only(crashImage, StoreDirs.WAL);
    List<WalSpan> records = FileLayout.walRecords(StoreDirs.read(wal));
    WalSpan large = records.get(records.size() - 1);
    StoreDirs.truncate(wal, large.offset() + (large.end() - large.offset()) / 2);

    runWithin(OPEN_BOUND_SECONDS, "open of a WAL torn inside a " + VALUE_BYTES + "-byte record", () -> {
      try (Store store = Store.open(crashImage)) {
        assertEquals(survivor, store.lastSequence(), "the torn record is dropped, the one before kept");
        assertArrayEquals(utf8("written first"), store.get(utf8("small")));
        assertNull(store.get(utf8("large")), "the torn value is absent");
      }
    });
  }

  /**
   * Runs {@code action} on a daemon thread and fails, showing where that thread is, if it has not
   * finished within {@code seconds}. A stuck thread is left to finish on its own.
   */
  private static void runWithin(long seconds, String what, Runnable action) {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread worker = new Thread(() -> {
      try {
        action.run();
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "bounded: " + what);
    worker.setDaemon(true);
    long started = System.nanoTime();
    worker.start();
    try {
      worker.join(TimeUnit.SECONDS.toMillis(seconds));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    if (worker.isAlive()) {
      String stack = Arrays.stream(worker.getStackTrace()).limit(12).map(f -> "\n\tat " + f)
          .collect(Collectors.joining());
      fail(what + " still running after " + seconds + " s; it is at:" + stack);
    }
    if (failure.get() instanceof AssertionError) {
      throw (AssertionError) failure.get();
    }
    if (failure.get() != null) {
      throw new AssertionError(what + " failed", failure.get());
    }
    System.out.println(what + ": " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
  }
}
