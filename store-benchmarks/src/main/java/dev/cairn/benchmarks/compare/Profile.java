package dev.cairn.benchmarks.compare;

/**
 * Sizes and time boxes of one comparison run. Time-boxed workloads stop at their count or their
 * duration, whichever comes first, and report the rate over what they did.
 *
 * @param keyCount keys of the 100-byte store (workloads 1, 3, 4, 5 and 7)
 * @param largeValueKeyCount keys of the 1 KiB fill (workload 1, second row)
 * @param jsonDocumentCount documents of the footprint workload (6)
 * @param counterIncrements increments of each measured pass of workload 5 without fsync
 * @param fillSeconds time box of the measured 100-byte fill; the rest is loaded in batches
 * @param largeFillSeconds time box of the 1 KiB fill
 * @param fsyncSeconds time box of each fsync-per-commit measurement (1 writer, 8 writers, counter)
 *     in each of the {@link FsyncRounds#ROUNDS} rounds
 * @param readSeconds time box of the warm-up and of the measured pass of point reads, and of the
 *     measured pass of the mix; the point reads' warm-up is the first thing after the fill, and also
 *     gives the engines' background work after it (flushes, compactions) time to run
 * @param warmUpSeconds time box of the unmeasured pass before the mix and before the scans
 * @param scanSeconds time box of the measured scans
 * @param counterSeconds time box of the measured passes of workload 5 without fsync
 * @param overwriteSeconds time box of the 3 overwrite passes of workload 6; an engine that does not
 *     finish them in time has no space-amplification figure (the report says so)
 * @param heap the fixed heap of each forked engine JVM ({@code -Xms} and {@code -Xmx}), unless
 *     {@code --heap} says otherwise; the JVM touches all of it at start-up, which costs seconds per GiB
 */
public record Profile(
    String name,
    int keyCount,
    int largeValueKeyCount,
    int jsonDocumentCount,
    int counterIncrements,
    double fillSeconds,
    double largeFillSeconds,
    double fsyncSeconds,
    double readSeconds,
    double warmUpSeconds,
    double scanSeconds,
    double counterSeconds,
    double overwriteSeconds,
    String heap) {

  /**
   * Aimed at under 10 minutes for all eight engines on a 2-core machine: the 1M keys, and
   * 150,000 JSON documents for the footprint (written 4 times over) with a 10 s box for the
   * overwrite passes. With 250,000 documents and a 90 s box one run took 800 s, most of it MapDB's
   * and MVStore's overwrite passes, which neither finished. With boxes of 10 s for the fill, 20 s for
   * the overwrites, 5 s for the counter and 2 s for every warm-up, and 4 GiB heaps, a run took 687 s
   * on a machine where touching a 4 GiB heap took 8 to 15 s per JVM, and loading the rest of the 1M
   * keys took MapDB 64 s. With the boxes and heaps below, a run on the same machine took 491 s,
   * when the fsync workloads still ran once, for 2 s each, in each engine's main JVM; they now run
   * for 1 s in each of two rounds, in JVMs of their own.
   */
  public static final Profile QUICK =
      new Profile("quick", 1_000_000, 100_000, 150_000, 100_000, 5, 3, 1, 2, 1, 2, 3, 10, "2g");

  /** Larger sizes and longer boxes: 1M JSON documents as in the issue, 5M keys. */
  public static final Profile FULL =
      new Profile("full", 5_000_000, 1_000_000, 1_000_000, 100_000, 120, 60, 5, 15, 10, 10, 60, 3600, "4g");

  /** A check that every adapter runs every workload, in about a minute; its figures mean little. */
  public static final Profile SMOKE =
      new Profile("smoke", 30_000, 2_000, 10_000, 2_000, 1, 1, 0.5, 0.5, 0.5, 0.5, 1, 5, "1g");

  /**
   * How long the unmeasured run of workload 5 (no fsync) before the measured passes lasts: its own
   * box, capped at 1 s. The fastest engines do a million increments or more in that second; the
   * slowest are bound by their commits, not by compilation.
   */
  public double counterWarmUpSeconds() {
    return Math.min(counterSeconds, 1);
  }

  public static Profile named(String name) {
    return switch (name) {
      case "quick" -> QUICK;
      case "full" -> FULL;
      case "smoke" -> SMOKE;
      default -> throw new IllegalArgumentException("unknown profile " + name + ": quick, full or smoke");
    };
  }
}
