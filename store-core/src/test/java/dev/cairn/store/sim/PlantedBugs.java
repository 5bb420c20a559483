package dev.cairn.store.sim;

import dev.cairn.store.internal.fs.ForwardingVfs;
import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Durability bugs planted in the file system instead of the engine, each a thin {@link
 * ForwardingVfs} over the simulated one: the engine runs unchanged, but some of its fsyncs do
 * nothing, which is what the bug would do. {@link PlantedBugTest} shows the crash-point checker
 * catches each one.
 */
final class PlantedBugs {
  private PlantedBugs() {}

  /** The WAL is never fsynced: commits are acknowledged before they are durable. */
  static Vfs missingWalFsync(Vfs vfs) {
    return skipFileSync(vfs, name -> name.endsWith(".wal"));
  }

  /** Directories are never fsynced: new files (the store directory, WAL files) may vanish, renames undo. */
  static Vfs missingDirectoryFsync(Vfs vfs) {
    return new ForwardingVfs(vfs) {
      @Override
      public void syncDirectory(Path dir) {
        // the planted bug: nothing
      }
    };
  }

  /**
   * Segments and checkpoints are never fsynced, so a flush deletes the WAL it packed (with change
   * retention 0) while the segment and checkpoint replacing it are not yet durable.
   */
  static Vfs deleteBeforeReplacementIsDurable(Vfs vfs) {
    return skipFileSync(vfs, name -> name.endsWith(".seg") || name.endsWith(".ckpt.tmp"));
  }

  private static Vfs skipFileSync(Vfs vfs, Predicate<String> fileName) {
    return new ForwardingVfs(vfs) {
      @Override
      protected VfsFile openFile(Path file, Opening how) throws java.io.IOException {
        return skipSyncIf(super.openFile(file, how), file);
      }

      private VfsFile skipSyncIf(VfsFile file, Path path) {
        if (!fileName.test(path.getFileName().toString())) {
          return file;
        }
        return new ForwardingFile(file) {
          @Override
          public void sync() {
            // the planted bug: nothing
          }
        };
      }
    };
  }
}
