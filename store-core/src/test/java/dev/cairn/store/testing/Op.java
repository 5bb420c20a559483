package dev.cairn.store.testing;

import dev.cairn.store.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One operation of a commit as the crash, fault and recovery models record it: a put of {@code
 * value} under {@code key}, or a delete when {@code value} is null. The static methods say what a
 * commit of such operations is as a {@link WriteBatch} and what it does to a map of the store's
 * content, so that every model replays commits the same way.
 */
public record Op(String key, byte[] value) {

  /** The operations as one batch, keys in UTF-8. */
  public static WriteBatch batch(List<Op> ops) {
    WriteBatch batch = WriteBatch.create();
    for (Op op : ops) {
      if (op.value() == null) {
        batch.delete(utf8(op.key()));
      } else {
        batch.put(utf8(op.key()), op.value());
      }
    }
    return batch;
  }

  /** Applies the operations of one commit, in order, to {@code state}. */
  public static void apply(Map<String, byte[]> state, List<Op> ops) {
    for (Op op : ops) {
      if (op.value() == null) {
        state.remove(op.key());
      } else {
        state.put(op.key(), op.value());
      }
    }
  }

  /** Whether two contents hold the same keys with equal values. */
  public static boolean sameState(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    if (!expected.keySet().equals(actual.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      if (!Arrays.equals(e.getValue(), actual.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
