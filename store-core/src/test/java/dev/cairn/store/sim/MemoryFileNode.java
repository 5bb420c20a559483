package dev.cairn.store.sim;

import java.util.Arrays;
import java.util.Random;

/**
 * The content of one in-memory file (an inode: it may outlive its names): the current bytes, the
 * bytes its last sync made durable, and enough history since that sync to build every {@link
 * CrashMode}'s image. Guarded by the owning {@link MemoryVfs}'s lock.
 */
final class MemoryFileNode {
  private static final int[] TEAR_BOUNDARIES = {1, 512, 4096};

  private byte[] data = new byte[0];
  private int length;
  private byte[] durable = new byte[0];
  /** Bytes [0, stableLength) are the same in the durable and the current content. */
  private int stableLength;
  /** The last append since the last sync, as [offset, offset + length) of the current content; -1 if none. */
  private int lastAppendOffset = -1;
  private int lastAppendLength;

  /** A node whose content is {@code content}, all of it durable. */
  static MemoryFileNode durable(byte[] content) {
    MemoryFileNode node = new MemoryFileNode();
    node.data = content.clone();
    node.length = content.length;
    node.durable = content.clone();
    node.stableLength = content.length;
    return node;
  }

  int length() {
    return length;
  }

  /** Copies {@code count} bytes at {@code offset}; false when the file ends first. */
  boolean read(long offset, byte[] dst, int dstOffset, int count) {
    if (offset < 0 || offset + count > length) {
      return false;
    }
    System.arraycopy(data, (int) offset, dst, dstOffset, count);
    return true;
  }

  void append(byte[] src, int srcOffset, int count) {
    if ((long) length + count > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("in-memory file over 2 GiB");
    }
    if (length + count > data.length) {
      data = Arrays.copyOf(data, Math.max(length + count, data.length * 2));
    }
    System.arraycopy(src, srcOffset, data, length, count);
    lastAppendOffset = length;
    lastAppendLength = count;
    length += count;
  }

  void truncate(long byteCount) {
    if (byteCount >= length) {
      return;
    }
    length = (int) byteCount;
    stableLength = Math.min(stableLength, length);
    if (lastAppendOffset >= 0) {
      lastAppendLength = Math.max(0, Math.min(lastAppendLength, length - lastAppendOffset));
      if (lastAppendLength == 0) {
        lastAppendOffset = -1;
      }
    }
  }

  void sync() {
    durable = Arrays.copyOf(data, length);
    stableLength = length;
    lastAppendOffset = -1;
    lastAppendLength = 0;
  }

  /** The content a power loss leaves under {@code mode} (null: every byte written survives). */
  byte[] crashContent(CrashMode mode, Random random) {
    byte[] current = Arrays.copyOf(data, length);
    if (mode == null || mode == CrashMode.FORGET_UNSYNCED_DIR_ENTRIES) {
      return current;
    }
    switch (mode) {
      case DROP_UNSYNCED:
        return durable.clone();
      case KEEP_RANDOM_PREFIX: {
        if (stableLength < durable.length && random.nextBoolean()) {
          return durable.clone(); // the truncation never reached the disk
        }
        int kept = stableLength + random.nextInt(length - stableLength + 1);
        return Arrays.copyOf(current, kept);
      }
      case TEAR_LAST_WRITE: {
        if (lastAppendOffset < 0) {
          return current;
        }
        int unit = TEAR_BOUNDARIES[random.nextInt(TEAR_BOUNDARIES.length)];
        int end = lastAppendOffset + lastAppendLength;
        int first = (lastAppendOffset + unit - 1) / unit; // first boundary index at or after the append's start
        int last = (end - 1) / unit; // last boundary index before its end
        int kept = last < first ? lastAppendOffset : (first + random.nextInt(last - first + 1)) * unit;
        return Arrays.copyOf(current, kept);
      }
      case ZERO_FILL_EXTENSION: {
        byte[] image = new byte[length];
        System.arraycopy(current, 0, image, 0, stableLength);
        return image;
      }
      default:
        throw new AssertionError(mode);
    }
  }
}
