package dev.cairn.store.internal.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * A {@link FileChannel} of its owner's alone, on which an interrupt cannot fail an operation. A
 * {@code FileChannel} is interruptible: an interrupt, pending or arriving during an operation,
 * closes the channel and fails the call. Here the interrupt is set aside, the channel reopened and
 * the operation retried, and the interrupt restored for the caller. Only for operations that are
 * safe to repeat (a sync, a map). Opened on first use; not thread-safe.
 */
final class PrivateChannel implements Closeable {
  /** An operation on the channel. */
  interface Operation<T> {
    T apply(FileChannel channel) throws IOException;
  }

  private final Path path;
  private final OpenOption[] options;
  private FileChannel channel;

  PrivateChannel(Path path, OpenOption... options) {
    this.path = path;
    this.options = options;
  }

  /** Runs {@code operation} once on a channel opened for it and closed after it. */
  static <T> T runOnce(Path path, Operation<T> operation, OpenOption... options) throws IOException {
    try (PrivateChannel channel = new PrivateChannel(path, options)) {
      return channel.run(operation);
    }
  }

  /** Runs {@code operation}, reopening the channel and retrying if an interrupt closed it. */
  <T> T run(Operation<T> operation) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      for (;;) {
        if (channel == null || !channel.isOpen()) {
          channel = FileChannel.open(path, options);
        }
        try {
          return operation.apply(channel);
        } catch (ClosedByInterruptException e) {
          interrupted |= Thread.interrupted();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }
}
