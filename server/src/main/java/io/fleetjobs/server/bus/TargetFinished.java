package io.fleetjobs.server.bus;

import io.fleetjobs.server.jobs.executions.Lifecycle;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * A target execution reached a final lifecycle (or WaitingForRetry), as recorded in the job database.
 * The alert module evaluates its rules on these, within the same second.
 */
public record TargetFinished(
  UUID targetExecutionId,
  UUID jobExecutionId,
  String jobName,
  int stepId,
  String stepName,
  String serverName,
  String databaseName,
  String lifecycle,
  int attempts,
  String lastMessage) {

  public boolean isFinal() {
    return !Lifecycle.of(lifecycle).isActive();
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("targetExecutionId", targetExecutionId.toString())
      .put("jobExecutionId", jobExecutionId.toString())
      .put("jobName", jobName)
      .put("stepId", stepId)
      .put("stepName", stepName)
      .put("targetServer", serverName)
      .put("targetDatabase", databaseName)
      .put("lifecycle", lifecycle)
      .put("attempts", attempts)
      .put("lastMessage", lastMessage);
  }

  public static TargetFinished fromJson(JsonObject json) {
    return new TargetFinished(
      UUID.fromString(json.getString("targetExecutionId")),
      UUID.fromString(json.getString("jobExecutionId")),
      json.getString("jobName"),
      json.getInteger("stepId"),
      json.getString("stepName"),
      json.getString("targetServer"),
      json.getString("targetDatabase"),
      json.getString("lifecycle"),
      json.getInteger("attempts"),
      json.getString("lastMessage"));
  }
}
