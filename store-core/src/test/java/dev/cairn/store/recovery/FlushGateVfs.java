package dev.cairn.store.recovery;

import dev.cairn.store.internal.fs.ForwardingVfs;
import dev.cairn.store.internal.fs.NioVfs;
import dev.cairn.store.internal.fs.VfsFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The real file system, except that creating a segment file waits until {@link #open()} is
 * called. This holds the store's first flush, so a test can look at the directory as a crash at
 * that moment would leave it: recovery done, new writes in the WAL, nothing flushed yet. A held
 * creation gives up after 30 seconds with an IOException, so a test that forgets to open the gate
 * fails instead of hanging.
 */
final class FlushGateVfs extends ForwardingVfs {
  private final CountDownLatch gate = new CountDownLatch(1);

  FlushGateVfs() {
    super(new NioVfs());
  }

  /** Lets segment creations proceed, now and from then on. */
  void open() {
    gate.countDown();
  }

  @Override
  protected VfsFile openFile(Path file, Opening how) throws IOException {
    if (how.creates() && file.getFileName().toString().endsWith(StoreDirs.SEGMENT)) {
      try {
        if (!gate.await(30, TimeUnit.SECONDS)) {
          throw new IOException("test gate stayed closed for " + file);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted at the test gate for " + file);
      }
    }
    return super.openFile(file, how);
  }
}
