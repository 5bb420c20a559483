package dev.cairn.benchmarks.engines;

import java.util.List;
import java.util.Map;

/** The engines of the side-by-side benchmarks, by id, and the JVM flags each needs. */
public final class Engines {
  private Engines() {}

  /** Every engine id, Cairn first. */
  public static final List<String> IDS =
      List.of("cairn", "rocksdb", "lmdb", "mapdb", "mvstore", "xodus", "chronicle", "sqlite");

  private static final Map<String, List<String>> JVM_FLAGS = Map.of(
      "lmdb", List.of("--add-opens", "java.base/java.nio=ALL-UNNAMED",
          "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"),
      "chronicle", List.of("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
          "-Dchronicle.analytics.disable=true"));

  /** A new, unopened adapter for {@code id}. */
  public static KvEngine create(String id) {
    return switch (id) {
      case "cairn" -> new CairnEngine();
      case "rocksdb" -> new RocksDbEngine();
      case "lmdb" -> new LmdbEngine();
      case "mapdb" -> new MapDbEngine();
      case "mvstore" -> new MvStoreEngine();
      case "xodus" -> new XodusEngine();
      case "chronicle" -> new ChronicleMapEngine();
      case "sqlite" -> new SqliteEngine();
      default -> throw new IllegalArgumentException("unknown engine " + id + "; known: " + IDS);
    };
  }

  /** The extra JVM flags the engine needs on JDK 17 (TOOLCHAIN.md); empty for most. */
  public static List<String> jvmFlags(String id) {
    return JVM_FLAGS.getOrDefault(id, List.of());
  }
}
