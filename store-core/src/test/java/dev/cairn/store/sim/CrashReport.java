package dev.cairn.store.sim;

import java.util.ArrayList;
import java.util.List;

/** The counts of one {@link CrashPointChecker} pass, and the first few failures in full. Not thread-safe. */
final class CrashReport {
  private static final int KEPT_FAILURES = 5;

  final String workload;
  final int plans;
  long operations;
  long crashPoints;
  long images;
  long acknowledgedChecked;
  long lost;
  long failedOpens;
  long wrongStates;
  private long failureCount;
  private final List<String> failures = new ArrayList<>();

  CrashReport(String workload, int plans) {
    this.workload = workload;
    this.plans = plans;
  }

  void fail(String message, Throwable cause) {
    failureCount++;
    if (failures.size() < KEPT_FAILURES) {
      failures.add(cause == null || cause.getCause() == null ? message : message + " <- " + cause.getCause());
    }
  }

  /** Failures of any kind: lost writes, failed opens, wrong content, unexpected exceptions. */
  long failureCount() {
    return failureCount;
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  /** The figures on one line, as {@link dev.cairn.store.ReliabilitySummary} records them. */
  String summary(long seed, long elapsedMillis) {
    return String.format("workload=%s operations=%d modes=%d crash-points=%d images=%d "
            + "acknowledged-writes-checked=%d lost=%d failed-opens=%d wrong-states=%d failures=%d seed=%d elapsed-ms=%d",
        workload, operations, plans, crashPoints, images, acknowledgedChecked, lost, failedOpens, wrongStates,
        failureCount, seed, elapsedMillis);
  }
}
