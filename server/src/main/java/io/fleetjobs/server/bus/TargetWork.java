package io.fleetjobs.server.bus;

import io.fleetjobs.server.targets.ConnectionSettings;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * A claimed target execution: which attempt (claim) of which step to run where, how the member that brought
 * the database in connects (its TLS mode, certificate trust and sign-in), and whether the execution is a dry run.
 */
public record TargetWork(
  UUID targetExecutionId,
  int claim,
  int attempt,
  UUID jobExecutionId,
  Instant jobExecutionCreateTime,
  UUID jobId,
  String jobName,
  int jobVersion,
  int stepId,
  String stepName,
  String targetGroupName,
  String engine,
  String serverName,
  String databaseName,
  ConnectionSettings connection,
  boolean dryRun) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("targetExecutionId", targetExecutionId.toString())
      .put("claim", claim)
      .put("attempt", attempt)
      .put("jobExecutionId", jobExecutionId.toString())
      .put("jobExecutionCreateTime", jobExecutionCreateTime.toString())
      .put("jobId", jobId.toString())
      .put("jobName", jobName)
      .put("jobVersion", jobVersion)
      .put("stepId", stepId)
      .put("stepName", stepName)
      .put("targetGroupName", targetGroupName)
      .put("engine", engine)
      .put("serverName", serverName)
      .put("databaseName", databaseName)
      .put("trustServerCertificate", connection.trustServerCertificate())
      .put("sslMode", connection.sslMode())
      .put("authentication", connection.authentication())
      .put("dryRun", dryRun);
  }

  public static TargetWork fromJson(JsonObject json) {
    return new TargetWork(
      UUID.fromString(json.getString("targetExecutionId")),
      json.getInteger("claim"),
      json.getInteger("attempt"),
      UUID.fromString(json.getString("jobExecutionId")),
      Instant.parse(json.getString("jobExecutionCreateTime")),
      UUID.fromString(json.getString("jobId")),
      json.getString("jobName"),
      json.getInteger("jobVersion"),
      json.getInteger("stepId"),
      json.getString("stepName"),
      json.getString("targetGroupName"),
      json.getString("engine"),
      json.getString("serverName"),
      json.getString("databaseName"),
      new ConnectionSettings(json.getBoolean("trustServerCertificate", false), json.getString("sslMode"),
        json.getString("authentication")),
      json.getBoolean("dryRun", false));
  }
}
