package dev.cairn.store.internal.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cairn.store.WriteBatch;
import dev.cairn.store.internal.fuzz.MemoryVfs;
import dev.cairn.store.internal.fs.VfsFile;
import dev.cairn.store.internal.wal.WalFormat;
import dev.cairn.store.internal.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What the change-history reader may read: published commits only, never past the published end. */
class HistoryReaderTest {
  private static final Path OLD = Path.of("/store/00000000000000000001.wal");
  private static final Path NEW = Path.of("/store/00000000000000000002.wal");

  private static byte[] commit(long sequence) {
    WalRecord r = WalRecord.encode(WriteBatch.create().put("k" + sequence, "v" + sequence));
    r.seal(sequence);
    return r.bytes();
  }

  @Test
  void aCursorOnAWalStartedSinceTheLastPublishReadsNothingUntilItsCommitsArePublished() throws IOException {
    byte[] header = WalFormat.header();
    byte[] one = commit(1);
    MemoryVfs vfs = MemoryVfs.of(OLD, concat(header, one));
    // Rotation: WAL 2 is added with its first sequence, and a group is written into it but not
    // yet applied or published; the last publish still names WAL 1.
    try (VfsFile next = vfs.create(NEW)) {
      next.append(header, 0, header.length);
      byte[] two = commit(2);
      next.append(two, 0, two.length);
    }
    WalHistory history = new WalHistory("test", new WalHistory.Published(1, header.length + one.length, 1));
    history.added(1, OLD, 1);
    history.sealed(1, header.length + one.length);
    history.added(2, NEW, 2);
    try (HistoryReader reader = new HistoryReader(vfs, history, 1)) { // a cursor after commit 1 starts in WAL 2
      assertNull(reader.next(), "commit 2 is written but not published");
      history.publish(2, header.length + commit(2).length, 2);
      assertEquals(2, reader.next().sequence());
      assertNull(reader.next());
    } finally {
      history.close();
    }
  }

  @Test
  void aCursorReadsASealedWalUpToItsSealedEndThoughItsPreallocatedZerosStillFollow() throws IOException {
    byte[] header = WalFormat.header();
    byte[] one = commit(1);
    byte[] two = commit(2);
    // WAL 1 was sealed by a rotation and not yet cut by a sync: its records are followed by zeros.
    MemoryVfs vfs = MemoryVfs.of(OLD, concat(concat(header, one), new byte[4096]));
    try (VfsFile next = vfs.create(NEW)) {
      next.append(header, 0, header.length);
      next.append(two, 0, two.length);
    }
    WalHistory history = new WalHistory("test", new WalHistory.Published(2, header.length + two.length, 2));
    history.added(1, OLD, 1);
    history.sealed(1, header.length + one.length);
    history.added(2, NEW, 2);
    try (HistoryReader reader = new HistoryReader(vfs, history, 0)) {
      assertEquals(1, reader.next().sequence());
      assertEquals(2, reader.next().sequence(), "the zeros after commit 1 are not read as a record");
      assertNull(reader.next());
    } finally {
      history.close();
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
