package dev.cairn.store.recovery;

import dev.cairn.store.internal.fs.ForwardingVfs;
import dev.cairn.store.internal.fs.NioVfs;
import dev.cairn.store.internal.fs.VfsFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real file system, except that creating a segment file waits until {@link #open()} is
 * called, and appends to segment files can be slowed down. Holding the store's first flush lets a
 * test look at the directory as a crash at that moment would leave it (recovery done, new writes
 * in the WAL, nothing flushed yet), or hand over WAL files while a flush runs. A held creation
 * gives up after 30 seconds with an IOException, so a test that forgets to open the gate fails
 * instead of hanging.
 */
public final class FlushGateVfs extends ForwardingVfs {
  private final CountDownLatch gate = new CountDownLatch(1);
  private final AtomicInteger segmentsCreated = new AtomicInteger();
  private final AtomicInteger segmentAppends = new AtomicInteger();
  private volatile long appendDelayMillis;

  public FlushGateVfs() {
    super(new NioVfs());
  }

  /** Lets segment creations proceed, now and from then on. */
  public void open() {
    gate.countDown();
  }

  /** Makes each later append to a segment file wait {@code millis} first (0: none). */
  public void slowSegmentAppends(long millis) {
    appendDelayMillis = millis;
  }

  /** Segment files whose creation has begun (held at the gate or past it). */
  public int segmentsCreated() {
    return segmentsCreated.get();
  }

  /** Appends to segment files begun so far. */
  public int segmentAppends() {
    return segmentAppends.get();
  }

  @Override
  protected VfsFile openFile(Path file, Opening how) throws IOException {
    if (!how.creates() || !file.getFileName().toString().endsWith(StoreDirs.SEGMENT)) {
      return super.openFile(file, how);
    }
    segmentsCreated.incrementAndGet();
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new IOException("test gate stayed closed for " + file);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted at the test gate for " + file);
    }
    return new ForwardingFile(super.openFile(file, how)) {
      @Override
      public void append(byte[] src, int srcOffset, int length) throws IOException {
        segmentAppends.incrementAndGet();
        long delay = appendDelayMillis;
        if (delay > 0) {
          try {
            Thread.sleep(delay);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted in a slowed append to " + file);
          }
        }
        super.append(src, srcOffset, length);
      }
    };
  }
}
