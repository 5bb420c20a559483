package dev.cairn.store.sim;

import dev.cairn.store.internal.fs.Vfs;
import dev.cairn.store.internal.fs.VfsFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link Vfs} held entirely in memory that can simulate a power loss. Thread-safe: one lock
 * guards every file and directory. Paths must be absolute; the root directory always exists.
 *
 * <h2>What is durable</h2>
 * Each file remembers the content its last {@code sync()} made durable and what was appended or
 * truncated since; each directory remembers its entries as of its last {@link #syncDirectory}
 * besides the current ones. {@link #crashImage(Set, Random)} returns a new file system holding
 * only what a power loss could leave, under the chosen {@link CrashMode}s: each file-content mode
 * (drop the unsynced bytes, keep a random prefix of them, tear the last append at a 1 B, 512 B or
 * 4 KiB boundary, or zero-fill the unsynced extension) and, separately or with one of them,
 * forgetting the directory changes made since the last directory sync. Directories are entries of
 * their parent like files: a directory created and never made durable in its parent vanishes with
 * everything in it.
 *
 * <h2>Dying at an operation</h2>
 * Every mutating operation (create, append, sync, truncate, rename, delete, syncDirectory,
 * createDirectories) is numbered from 1. After {@link #crashAtOperation(long) crashAtOperation(N)}
 * operation N and every later one, from any thread, fails with an {@link IOException} "simulated
 * crash at operation N: op file" without changing anything, so the state stays as it was when
 * the machine "died" and a later {@code crashImage} sees exactly that. Reads, listings and lock
 * calls are not operations and keep working. {@code tryLock} creates the lock file like the real
 * file system, without counting it.
 */
public final class MemoryVfs implements Vfs {
  final Object lock = new Object(); // guards every file and directory, and the counters below
  private final MemoryDir root = new MemoryDir();
  private final Set<Path> heldLocks = new HashSet<>(); // guarded by lock
  private final List<String> operationLog = new ArrayList<>(); // guarded by lock; "op name" of each operation
  private long operations; // guarded by lock
  private long crashAt; // guarded by lock; 0: never
  private String crashReport; // guarded by lock; set when the crash happened

  /** A directory's current entries and the entries its last sync made durable. */
  private static final class MemoryDir {
    final TreeMap<String, Object> entries = new TreeMap<>(); // MemoryDir or MemoryFileNode
    TreeMap<String, Object> durable = new TreeMap<>();
  }

  // ---------------------------------------------------------------- crash control

  /** Makes operation {@code n} (counted from the start of this file system) and every later one fail. */
  public void crashAtOperation(long n) {
    if (n < 1) {
      throw new IllegalArgumentException("operations are numbered from 1: " + n);
    }
    synchronized (lock) {
      crashAt = n;
    }
  }

  /** Mutating operations attempted so far, including the one that crashed. */
  public long operationCount() {
    synchronized (lock) {
      return operations;
    }
  }

  /**
   * Each operation attempted so far, in order, as "op name" (the file's or directory's own name,
   * for example "rename 00000000000000000004.ckpt.tmp"); entry i is operation i + 1.
   */
  public List<String> operationLog() {
    synchronized (lock) {
      return List.copyOf(operationLog);
    }
  }

  /** The crash message, or null if no operation has crashed. */
  public String crashReport() {
    synchronized (lock) {
      return crashReport;
    }
  }

  /** Counts one mutating operation; fails it when the machine is dead. Call holding {@link #lock}. */
  void operation(String op, Path file) throws IOException {
    if (crashReport != null) {
      throw new IOException(crashReport + " (then " + op + " " + file + ")");
    }
    operations++;
    operationLog.add(op + " " + (file.getFileName() == null ? file : file.getFileName()));
    if (operations == crashAt) {
      crashReport = "simulated crash at operation " + operations + ": " + op + " " + file;
      throw new IOException(crashReport);
    }
  }

  // ---------------------------------------------------------------- crash images

  /** {@link #crashImage(Set, Random)} with one mode. */
  public MemoryVfs crashImage(CrashMode mode, Random random) {
    return crashImage(EnumSet.of(mode), random);
  }

  /**
   * A new file system holding what a power loss now could leave: at most one file-content mode,
   * optionally with {@link CrashMode#FORGET_UNSYNCED_DIR_ENTRIES}. Everything in the image is
   * durable; this file system is unchanged.
   */
  public MemoryVfs crashImage(Set<CrashMode> modes, Random random) {
    CrashMode content = null;
    for (CrashMode m : modes) {
      if (m.decidesContent()) {
        if (content != null) {
          throw new IllegalArgumentException("at most one content mode: " + modes);
        }
        content = m;
      }
    }
    boolean forget = modes.contains(CrashMode.FORGET_UNSYNCED_DIR_ENTRIES);
    MemoryVfs image = new MemoryVfs();
    synchronized (lock) {
      copyInto(root, image.root, forget, content, random, new IdentityHashMap<>());
    }
    return image;
  }

  /** An exact copy in which everything is durable (the image of a crash that loses nothing). */
  public MemoryVfs copy() {
    return crashImage(EnumSet.noneOf(CrashMode.class), new Random(0));
  }

  private static void copyInto(MemoryDir from, MemoryDir to, boolean forget, CrashMode content, Random random,
      Map<MemoryFileNode, MemoryFileNode> copied) {
    for (Map.Entry<String, Object> e : (forget ? from.durable : from.entries).entrySet()) {
      Object node = e.getValue();
      if (node instanceof MemoryDir) {
        MemoryDir dir = new MemoryDir();
        copyInto((MemoryDir) node, dir, forget, content, random, copied);
        to.entries.put(e.getKey(), dir);
      } else {
        MemoryFileNode file = (MemoryFileNode) node;
        to.entries.put(e.getKey(),
            copied.computeIfAbsent(file, f -> MemoryFileNode.durable(f.crashContent(content, random))));
      }
    }
    to.durable = new TreeMap<>(to.entries);
  }

  // ---------------------------------------------------------------- lookups

  private MemoryDir dirOrNull(Path dir) {
    MemoryDir at = root;
    for (Path name : checkAbsolute(dir)) {
      Object next = at.entries.get(name.toString());
      if (!(next instanceof MemoryDir)) {
        return null;
      }
      at = (MemoryDir) next;
    }
    return at;
  }

  private MemoryDir dir(Path dir) throws IOException {
    MemoryDir d = dirOrNull(dir);
    if (d == null) {
      throw new NoSuchFileException(dir.toString());
    }
    return d;
  }

  private MemoryDir parent(Path file) throws IOException {
    Path parent = checkAbsolute(file).getParent();
    if (parent == null) {
      throw new IOException("the root is not a file: " + file);
    }
    return dir(parent);
  }

  private static String name(Path file) {
    return file.getFileName().toString();
  }

  private static Path checkAbsolute(Path p) {
    if (!p.isAbsolute()) {
      throw new IllegalArgumentException("MemoryVfs paths are absolute: " + p);
    }
    return p.normalize();
  }

  private MemoryFileNode file(Path file) throws IOException {
    MemoryDir parent = dirOrNull(checkAbsolute(file).getParent());
    Object node = parent == null ? null : parent.entries.get(name(file));
    if (!(node instanceof MemoryFileNode)) {
      throw new NoSuchFileException(file.toString());
    }
    return (MemoryFileNode) node;
  }

  // ---------------------------------------------------------------- Vfs

  @Override
  public VfsFile open(Path file) throws IOException {
    synchronized (lock) {
      return new MemoryFile(this, file, file(file));
    }
  }

  @Override
  public VfsFile create(Path file) throws IOException {
    synchronized (lock) {
      operation("create", file);
      MemoryDir parent = parent(file);
      if (parent.entries.containsKey(name(file))) {
        throw new FileAlreadyExistsException(file.toString());
      }
      MemoryFileNode node = new MemoryFileNode();
      parent.entries.put(name(file), node);
      return new MemoryFile(this, file, node);
    }
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    synchronized (lock) {
      MemoryDir d = dirOrNull(dir);
      if (d == null) {
        if (exists(dir)) {
          throw new NotDirectoryException(dir.toString());
        }
        throw new NoSuchFileException(dir.toString());
      }
      return new ArrayList<>(d.entries.keySet());
    }
  }

  @Override
  public boolean exists(Path file) {
    synchronized (lock) {
      Path p = checkAbsolute(file);
      if (p.getParent() == null) {
        return true;
      }
      MemoryDir parent = dirOrNull(p.getParent());
      return parent != null && parent.entries.containsKey(name(p));
    }
  }

  @Override
  public long size(Path file) throws IOException {
    synchronized (lock) {
      return file(file).length();
    }
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    synchronized (lock) {
      operation("createDirectories", dir);
      MemoryDir at = root;
      for (Path name : checkAbsolute(dir)) {
        Object next = at.entries.get(name.toString());
        if (next == null) {
          next = new MemoryDir();
          at.entries.put(name.toString(), next);
        } else if (!(next instanceof MemoryDir)) {
          throw new FileAlreadyExistsException(dir + " (a file is in the way)");
        }
        at = (MemoryDir) next;
      }
    }
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    synchronized (lock) {
      operation("rename", source);
      MemoryDir from = parent(source);
      MemoryDir to = parent(target);
      Object node = from.entries.get(name(source));
      if (node == null) {
        throw new NoSuchFileException(source.toString());
      }
      from.entries.remove(name(source));
      to.entries.put(name(target), node);
    }
  }

  @Override
  public void delete(Path file) throws IOException {
    synchronized (lock) {
      operation("delete", file);
      MemoryDir parent = dirOrNull(checkAbsolute(file).getParent());
      if (parent != null) {
        Object node = parent.entries.get(name(file));
        if (node instanceof MemoryDir && !((MemoryDir) node).entries.isEmpty()) {
          throw new IOException("directory not empty: " + file);
        }
        parent.entries.remove(name(file));
      }
    }
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    synchronized (lock) {
      operation("syncDirectory", dir);
      MemoryDir d = dir(dir);
      d.durable = new TreeMap<>(d.entries);
    }
  }

  @Override
  public Closeable tryLock(Path lockFile) throws IOException {
    synchronized (lock) {
      Path key = checkAbsolute(lockFile);
      MemoryDir parent = parent(key);
      if (!heldLocks.add(key)) {
        return null;
      }
      parent.entries.putIfAbsent(name(key), new MemoryFileNode());
    }
    return () -> {
      synchronized (lock) {
        heldLocks.remove(checkAbsolute(lockFile));
      }
    };
  }
}
