package dev.cairn.benchmarks.engines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Chronicle Map: an off-heap hash map persisted to one memory-mapped file, sized up front by
 * {@code entries(...)} and {@code averageValueSize(...)}. A write lands in the shared mapping,
 * which a process crash cannot undo; Chronicle Map has no fsync, so it is NOT in the
 * fsync-per-commit class, and being a hash map it has no ordered scan. {@link #increment} is
 * {@code compute(...)} under the segment lock. No compression, no compaction (entries are updated
 * in place).
 */
public final class ChronicleMapEngine implements KvEngine {
  private ChronicleMap<byte[], byte[]> map;

  @Override
  public String id() {
    return "chronicle";
  }

  @Override
  public String displayName() {
    return "Chronicle Map";
  }

  @Override
  public Class<?> libraryClass() {
    return ChronicleMap.class;
  }

  @Override
  public boolean supportsScan() {
    return false;
  }

  @Override
  public boolean supportsFsync() {
    return false;
  }

  @Override
  public String settings(Settings settings) {
    return "createPersistedTo(file), entries = 1.1 x keys, constant 16-byte keys, "
        + "averageValueSize = the workload's, a batch is separate puts (no transactions), no compression (none available), no fsync (none "
        + "available: not in the fsync-per-commit class)";
  }

  @Override
  public void open(Path dir, Settings settings) {
    if (settings.durability() == Durability.FSYNC_PER_COMMIT) {
      throw new UnsupportedOperationException("Chronicle Map cannot fsync a commit");
    }
    dir.toFile().mkdirs();
    try {
      map = ChronicleMap.of(byte[].class, byte[].class)
          .name("kv")
          .entries(Math.max(1_000, settings.expectedEntries() + settings.expectedEntries() / 10))
          .constantKeySizeBySample(new byte[16])
          .averageValueSize(settings.averageValueBytes())
          .createPersistedTo(dir.resolve("chronicle.map").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public byte[] get(byte[] key) {
    return map.get(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    map.put(key, value);
  }

  @Override
  public void putBatch(List<byte[]> keys, List<byte[]> values) {
    for (int i = 0; i < keys.size(); i++) {
      map.put(keys.get(i), values.get(i));
    }
  }

  @Override
  public int scan(byte[] fromInclusive, int maxEntries) {
    throw new UnsupportedOperationException("Chronicle Map is a hash map: no ordered scan");
  }

  @Override
  public long increment(byte[] key) {
    return Counters.decode(map.compute(key, (k, v) -> Counters.incremented(v)));
  }

  @Override
  public void compact() {}

  @Override
  public String compaction() {
    return "none (updates in place; the file is sized by entries up front)";
  }

  @Override
  public void close() {
    map.close();
  }
}
