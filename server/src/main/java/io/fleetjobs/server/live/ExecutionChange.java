package io.fleetjobs.server.live;

import io.fleetjobs.server.jobs.executions.ExecutionSummary;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/** A job execution as a live page needs to know it changed: which one, and where it stands now. */
public record ExecutionChange(UUID jobExecutionId, String jobName, String lifecycle, boolean active, Instant endTime) {

  /** What tells a later check that nothing changed since this one was sent. */
  String state() {
    return lifecycle + "@" + endTime;
  }

  /** @param summary its targets counted now, or null when they could not be */
  JsonObject toJson(ExecutionSummary summary) {
    return new JsonObject()
      .put("jobName", jobName)
      .put("jobExecutionId", jobExecutionId.toString())
      .put("lifecycle", lifecycle)
      .put("isActive", active)
      .put("summary", summary == null ? null : summary.toJson(active));
  }
}
