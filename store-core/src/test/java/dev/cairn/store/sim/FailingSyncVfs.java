package dev.cairn.store.sim;

import dev.cairn.store.internal.fs.ForwardingVfs;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/** A file system whose file fsyncs fail with an {@link IOException} while {@link #failSyncs} is set. */
public final class FailingSyncVfs extends ForwardingVfs {
  public final AtomicBoolean failSyncs = new AtomicBoolean();

  public FailingSyncVfs(Vfs delegate) {
    super(delegate);
  }

  @Override
  protected VfsFile wrap(VfsFile file) {
    return new ForwardingFile(file) {
      @Override
      public void sync() throws IOException {
        if (failSyncs.get()) {
          throw new IOException("injected fsync failure");
        }
        super.sync();
      }
    };
  }
}
