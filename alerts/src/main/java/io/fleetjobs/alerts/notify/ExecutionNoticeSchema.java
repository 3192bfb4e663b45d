package io.fleetjobs.alerts.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The webhook body of an execution notice, in the Standard Webhooks payload shape {type, timestamp, data}:
 * {@code execution.ended} or {@code execution.paused}, with the same facts the chat and mail notices show.
 */
public final class ExecutionNoticeSchema {
  private ExecutionNoticeSchema() {
  }

  public static JsonObject render(ExecutionNotice notice, DashboardLinks links, Instant now) {
    JsonObject counts = new JsonObject();
    notice.counts().forEach(counts::put);
    JsonArray groups = new JsonArray();
    notice.failureGroups().forEach(group -> groups.add(group.toJson()));
    return new JsonObject()
      .put("type", notice.eventType())
      .put("timestamp", now.toString())
      .put("data", new JsonObject()
        .put("executionNotification", notice.notificationName())
        .put("jobName", notice.jobName())
        .put("jobVersion", notice.jobVersion())
        .put("jobExecutionId", notice.jobExecutionId().toString())
        .put("lifecycle", notice.lifecycle())
        .put("dryRun", notice.dryRun())
        .put("startTime", notice.startTime() == null ? null : notice.startTime().toString())
        .put("endTime", notice.endTime() == null ? null : notice.endTime().toString())
        .put("duration", notice.duration().toString())
        .put("lastMessage", notice.lastMessage())
        .put("targets", notice.targets())
        .put("counts", counts)
        .put("failureGroups", groups)
        .put("links", new JsonObject()
          .put("execution", links.execution(notice.jobName(), notice.jobExecutionId()))
          .put("failedTargets", links.failedTargets(notice.jobName(), notice.jobExecutionId()))));
  }
}
