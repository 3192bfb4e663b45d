package io.fleetjobs.server.jobs.executions;

import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Map;

/** How many targets are in each lifecycle, and the few sums a progress bar draws. */
public final class TargetCounts {
  private final Map<Lifecycle, Long> byLifecycle = new EnumMap<>(Lifecycle.class);

  void add(Lifecycle lifecycle, long targets) {
    byLifecycle.merge(lifecycle, targets, Long::sum);
  }

  void addAll(TargetCounts other) {
    other.byLifecycle.forEach(this::add);
  }

  public long get(Lifecycle lifecycle) {
    return byLifecycle.getOrDefault(lifecycle, 0L);
  }

  public long total() {
    return byLifecycle.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Targets that reached a final lifecycle, whichever. */
  public long done() {
    return byLifecycle.entrySet().stream().filter(e -> !e.getKey().isActive()).mapToLong(Map.Entry::getValue).sum();
  }

  /**
   * {"total", "done", "succeeded", "failed", "timedOut", "canceled", "skipped", "inProgress", "waiting",
   * "byLifecycle": {lifecycle: n}}; waiting counts the queued targets and those waiting for a retry.
   */
  public JsonObject toJson() {
    JsonObject each = new JsonObject();
    byLifecycle.forEach((lifecycle, n) -> each.put(lifecycle.value(), n));
    return new JsonObject()
      .put("total", total())
      .put("done", done())
      .put("succeeded", get(Lifecycle.SUCCEEDED) + get(Lifecycle.SUCCEEDED_WITH_SKIPPED))
      .put("failed", get(Lifecycle.FAILED))
      .put("timedOut", get(Lifecycle.TIMED_OUT))
      .put("canceled", get(Lifecycle.CANCELED))
      .put("skipped", get(Lifecycle.SKIPPED))
      .put("inProgress", get(Lifecycle.IN_PROGRESS))
      .put("waiting", get(Lifecycle.CREATED) + get(Lifecycle.WAITING_FOR_RETRY)
        + get(Lifecycle.WAITING_FOR_CHILD_JOB_EXECUTIONS))
      .put("byLifecycle", each);
  }
}
