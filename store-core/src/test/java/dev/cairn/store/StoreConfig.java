package dev.cairn.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One cell of the configuration matrix that behaviour suites run over: codec × durability. */
public record StoreConfig(Compression compression, Durability durability) {

  /** Every codec with every durability mode. */
  public static List<StoreConfig> matrix() {
    List<StoreConfig> all = new ArrayList<>();
    for (Compression c : Compression.values()) {
      all.add(new StoreConfig(c, Durability.SYNC));
      all.add(new StoreConfig(c, Durability.periodic(Duration.ofMillis(100))));
    }
    return all;
  }

  /** Options of this cell, with a small WAL so that values move into segments during a test. */
  public StoreOptions.Builder options() {
    return StoreOptions.builder().compression(compression).durability(durability)
        .walRotateBytes(64 * 1024).blockBytes(4096);
  }

  @Override
  public String toString() {
    return compression + "/" + durability;
  }
}
