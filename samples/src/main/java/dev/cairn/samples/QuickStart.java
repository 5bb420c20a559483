package dev.cairn.samples;

import dev.cairn.store.Codec;
import dev.cairn.store.Cursor;
import dev.cairn.store.Entry;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Snapshot;
import dev.cairn.store.Store;
import dev.cairn.store.StoreStats;
import dev.cairn.store.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ConcurrentMap;

/**
 * A tour of the Cairn API in one program: open, put, get, batch, compare-and-set, update, scan,
 * snapshot, the {@code ConcurrentMap} view, statistics, close.
 *
 * <p>Run it from the repository root with {@code ./demo} (or {@code ./demo some/other/dir}). Run it
 * twice: the second run finds everything the first one wrote, and its run counter says so.
 */
public final class QuickStart {
  private QuickStart() {}

  public static void main(String[] args) {
    Path dir = Path.of(args.length > 0 ? args[0] : "demo-data");

    // Store.open creates the directory if needed, recovers after a crash, and locks the directory
    // until close(). The store is AutoCloseable: try-with-resources flushes and releases it.
    try (Store store = Store.open(dir)) {
      System.out.println("Opened " + store.directory().toAbsolutePath());

      // --- A persistent counter --------------------------------------------------------------
      // update() applies a function to the current value atomically (null means "absent").
      // Codec.int64() turns a long into 8 order-preserving bytes.
      Codec<Long> int64 = Codec.int64();
      byte[] runsKey = bytes("demo:runs");
      long run = int64.decode(store.update(runsKey,
          current -> int64.encode(current == null ? 1L : int64.decode(current) + 1)));
      System.out.println("This is run #" + run
          + (run == 1 ? " (a fresh store)" : " (data survived the restart)"));

      // --- Put and get -----------------------------------------------------------------------
      // String overloads store UTF-8; byte[] keys and values are stored as given.
      store.put("user:1", "Ada Lovelace");
      store.put("user:2", "Alan Turing");
      store.put("user:3", "Grace Hopper");
      store.put(bytes("blob:logo"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});

      System.out.println("user:2    -> " + store.get("user:2"));
      System.out.println("blob:logo -> " + Arrays.toString(store.get(bytes("blob:logo"))));
      System.out.println("user:9    -> " + store.get("user:9") + " (absent keys read as null)");

      // --- An atomic batch -------------------------------------------------------------------
      // Every operation of a batch commits together, also across a crash: a reader never sees
      // the money gone from one account but not yet in the other.
      store.put("account:alice", "100");
      store.put("account:bob", "0");
      WriteBatch transfer = WriteBatch.create()
          .put("account:alice", "70")
          .put("account:bob", "30")
          .put("audit:" + run, "alice -> bob: 30");
      long sequence = store.write(transfer);
      System.out.println("Transfer committed as sequence " + sequence
          + ": alice=" + store.get("account:alice") + ", bob=" + store.get("account:bob"));

      // --- Compare-and-set -------------------------------------------------------------------
      // Writes only if the current value is the expected one (null expected = "must be absent").
      byte[] ownerKey = bytes("lease:owner");
      boolean claimed = store.compareAndSet(ownerKey, null, bytes("quickstart"));
      System.out.println(claimed
          ? "Claimed lease:owner (it was free)"
          : "lease:owner is already held by '" + store.get("lease:owner")
              + "' (claimed in an earlier run)");
      boolean renewed = store.compareAndSet(ownerKey, bytes("quickstart"), bytes("quickstart"));
      System.out.println("Renewing our own lease succeeds: " + renewed);

      // --- Prefix scan -----------------------------------------------------------------------
      // Keys come back in byte order. A cursor is a point-in-time view and pins files until
      // closed, so always open it in try-with-resources.
      System.out.println("Users:");
      try (Cursor cursor = store.scan(KeyRange.prefix("user:"))) {
        while (cursor.hasNext()) {
          Entry entry = cursor.next();
          System.out.println("  " + entry.keyString() + " = " + entry.valueString());
        }
      }

      // --- Snapshot --------------------------------------------------------------------------
      // A snapshot keeps reading the store as it was when it was taken, whatever is written later.
      try (Snapshot snapshot = store.snapshot()) {
        store.put("user:1", "Ada King, Countess of Lovelace");
        System.out.println("Snapshot at sequence " + snapshot.sequence()
            + " sees user:1 = " + snapshot.get("user:1"));
        System.out.println("The live store sees       user:1 = " + store.get("user:1"));
      }

      // --- The ConcurrentMap view --------------------------------------------------------------
      // asMap() is a live java.util.concurrent.ConcurrentMap over the same keys, through codecs.
      ConcurrentMap<String, String> settings = store.asMap(Codec.utf8(), Codec.utf8());
      settings.putIfAbsent("setting:theme", "dark");
      settings.merge("setting:opened-by", "QuickStart", (old, value) -> old);
      System.out.println("setting:theme = " + settings.get("setting:theme")
          + "; the map sees user:3 too: " + settings.get("user:3"));

      // --- Statistics ------------------------------------------------------------------------
      // flush() makes everything acknowledged durable now (one fsync); the default durability,
      // periodic(100 ms), would do it within 100 ms anyway.
      store.flush();
      StoreStats stats = store.stats();
      System.out.println("Stats: " + stats.keys() + " keys, " + stats.liveBytes() + " live bytes, "
          + stats.fileBytes() + " bytes on disk (WAL " + stats.walBytes() + " B, segment files: "
          + stats.segments() + "), last sequence " + stats.lastSequence());
    }
    // The store is closed here. Run the program again to see the counter go up.
    System.out.println("Closed. Run again to see the data survive the restart.");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
