package io.fleetjobs.server.jobs.executions;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Where an execution stands, counted by the job database so that no page counts rows: its targets by lifecycle
 * per step and in total, how many finished in the last minute, and from that rate an estimate of the time left.
 *
 * @param finishedInWindow targets that ended within the window, which is the last minute, or the time since the
 *                         execution started when that is shorter
 */
public record ExecutionSummary(UUID jobExecutionId, List<Step> steps, long finishedInWindow, Duration window,
                               Instant asOf) {

  /** One step of the execution's version; {@code lifecycle} is null while the step has not started. */
  public record Step(int stepId, String stepName, String lifecycle, TargetCounts targets) {
    JsonObject toJson() {
      return new JsonObject()
        .put("stepId", stepId)
        .put("stepName", stepName)
        .put("lifecycle", lifecycle)
        .put("targets", targets.toJson());
    }
  }

  public TargetCounts total() {
    TargetCounts total = new TargetCounts();
    steps.forEach(step -> total.addAll(step.targets()));
    return total;
  }

  /** Targets per minute over the window; 0 before any finished. */
  public double throughputPerMinute() {
    long millis = window.toMillis();
    return millis <= 0 ? 0 : finishedInWindow * 60_000.0 / millis;
  }

  /**
   * {"jobExecutionId", "asOf", "targets", "steps", "throughputPerMinute", "pendingSteps",
   * "estimatedSecondsRemaining", "estimatedEndTime"}. The estimate is for an active execution with a rate, and
   * covers the targets of the steps started so far: a later step's targets are known only once it starts.
   */
  public JsonObject toJson(boolean active) {
    TargetCounts total = total();
    long remaining = total.total() - total.done();
    double rate = throughputPerMinute();
    Long seconds = active && remaining > 0 && rate > 0 ? (long) Math.ceil(remaining * 60 / rate) : null;
    return new JsonObject()
      .put("jobExecutionId", jobExecutionId.toString())
      .put("asOf", asOf.toString())
      .put("targets", total.toJson())
      .put("steps", new JsonArray(steps.stream().map(Step::toJson).toList()))
      .put("throughputPerMinute", Math.round(rate * 10) / 10.0)
      .put("pendingSteps", steps.stream().filter(step -> step.lifecycle() == null).count())
      .put("estimatedSecondsRemaining", seconds)
      .put("estimatedEndTime", seconds == null ? null : asOf.plusSeconds(seconds).toString());
  }
}
