package io.fleetjobs.server.jobs.executions;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.templates.RowMapper;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One node of an execution tree, in the Azure JobExecution shape: the job execution itself (no step),
 * one of its steps (target type TargetGroup), or one target database of a step. A job execution that
 * reruns another's failed targets names it in {@code rerunOf}. A target row has its own id, which its attempts
 * are read by, and the SQLSTATE (or SQL Server error number) of its last failed attempt. {@code extension} holds
 * fleetjobs' own fields, merged into the JSON: an execution's {@code dryRun} and {@code pausedReason}, a step's
 * {@code rollout}, a target's {@code wave}, {@code canary} and {@code dryRunResult}.
 */
public record ExecutionNode(
  UUID jobExecutionId,
  String jobName,
  int jobVersion,
  Integer stepId,
  String stepName,
  String lifecycle,
  Instant createTime,
  Instant startTime,
  Instant endTime,
  int currentAttempts,
  Instant currentAttemptStartTime,
  Instant nextAttemptStartTime,
  String lastMessage,
  Target target,
  UUID rerunOf,
  UUID targetExecutionId,
  String lastErrorCode,
  JsonObject extension) {

  /**
   * Where a node ran: a target database, or for a step the target group it expanded. {@code sslMode} is the TLS
   * mode its connections used; {@code authentication} its member's choice (null for the engine's way).
   */
  public record Target(String type, UUID targetId, String targetGroupName, String serverName, String databaseName,
                       String engine, String sslMode, String authentication) {
  }

  /** Reads the column names every execution query of {@link ExecutionRepository} returns. */
  public static final RowMapper<ExecutionNode> ROW_MAPPER = row -> new ExecutionNode(
    row.getUUID("job_execution_id"),
    row.getString("job_name"),
    row.getInteger("job_version"),
    row.getInteger("step_id"),
    row.getString("step_name"),
    row.getString("lifecycle"),
    instant(row, "create_time"),
    instant(row, "start_time"),
    instant(row, "end_time"),
    row.getInteger("current_attempts"),
    instant(row, "current_attempt_start_time"),
    instant(row, "next_attempt_start_time"),
    row.getString("last_message"),
    row.getString("target_type") == null ? null : new Target(
      row.getString("target_type"),
      row.getUUID("target_id"),
      row.getString("target_group_name"),
      row.getString("target_server_name"),
      row.getString("target_database_name"),
      row.getString("target_engine"),
      row.getString("target_ssl_mode"),
      row.getString("target_authentication")),
    row.getUUID("rerun_of"),
    row.getColumnIndex("target_execution_id") < 0 ? null : row.getUUID("target_execution_id"),
    row.getColumnIndex("last_error_code") < 0 ? null : row.getString("last_error_code"),
    row.getColumnIndex("extension") < 0 ? null : (JsonObject) row.getJson("extension"));

  public boolean isActive() {
    return Lifecycle.of(lifecycle).isActive();
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("jobExecutionId", jobExecutionId.toString())
      .put("jobName", jobName)
      .put("jobVersion", jobVersion)
      .put("stepId", stepId)
      .put("stepName", stepName)
      .put("lifecycle", lifecycle)
      .put("isActive", isActive())
      .put("createTime", text(createTime))
      .put("startTime", text(startTime))
      .put("endTime", text(endTime))
      .put("currentAttempts", currentAttempts)
      .put("currentAttemptStartTime", text(currentAttemptStartTime))
      .put("nextAttemptStartTime", text(nextAttemptStartTime))
      .put("lastMessage", lastMessage);
    if (stepId == null) {
      json.put("rerunOf", rerunOf == null ? null : rerunOf.toString());
    }
    if (targetExecutionId != null) {
      json.put("targetExecutionId", targetExecutionId.toString()).put("lastErrorCode", lastErrorCode);
    }
    if (target != null) {
      json.put("target", new JsonObject()
        .put("type", target.type())
        .put("targetId", target.targetId() == null ? null : target.targetId().toString())
        .put("targetGroupName", target.targetGroupName())
        .put("serverName", target.serverName())
        // A member's own row (a server that could not be listed) has no database.
        .put("databaseName", target.databaseName() == null || target.databaseName().isEmpty() ? null
          : target.databaseName())
        .put("engine", target.engine())
        .put("sslMode", target.sslMode()));
    }
    if (extension != null) {
      json.mergeIn(extension);
    }
    return json;
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }

  private static String text(Instant time) {
    return time == null ? null : time.toString();
  }
}
