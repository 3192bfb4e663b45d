package io.fleetjobs.server.jobs;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.templates.RowMapper;
import java.util.UUID;

/** One step of one job version, with every default applied. Referenced objects are pinned by id. */
public record JobStep(
  String name,
  int stepId,
  int jobVersion,
  UUID targetGroupId,
  String targetGroup,
  UUID credentialId,
  String credential,
  Action action,
  Output output,
  ExecutionOptions executionOptions,
  Integer maxParallelism,
  JsonObject rollout) {

  public record Action(String type, String source, String value) {
  }

  /** @param sslMode the output server's TLS mode; null takes the agent's default for the engine */
  public record Output(String type, String engine, String serverName, String databaseName, String schemaName,
                       String tableName, UUID credentialId, String credential, String sslMode) {
  }

  /**
   * @param retryOn Transient: retry only what a retry can fix; Any: every failure, as Elastic Jobs does
   * @param transaction Statement: each statement autocommits, as psql runs a script; Script: all in one transaction
   */
  public record ExecutionOptions(int timeoutSeconds, int retryAttempts, int initialRetryIntervalSeconds,
                                 int maximumRetryIntervalSeconds, double retryIntervalBackoffMultiplier,
                                 String retryOn, String transaction) {
    public boolean retriesAnyFailure() {
      return "Any".equals(retryOn);
    }

    public boolean singleTransaction() {
      return "Script".equals(transaction);
    }
  }

  /** Reads a jobs_internal.jobstep_versions row. */
  public static final RowMapper<JobStep> ROW_MAPPER = row -> new JobStep(
    row.getString("step_name"),
    row.getInteger("step_id"),
    row.getInteger("job_version"),
    row.getUUID("target_group_id"),
    row.getString("target_group_name"),
    row.getUUID("credential_id"),
    row.getString("credential_name"),
    new Action(row.getString("command_type"), row.getString("command_source"), row.getString("command")),
    output(row),
    new ExecutionOptions(
      row.getInteger("step_timeout_seconds"),
      row.getInteger("retry_attempts"),
      row.getInteger("initial_retry_interval_seconds"),
      row.getInteger("maximum_retry_interval_seconds"),
      row.getFloat("retry_interval_backoff_multiplier"),
      row.getString("retry_on"),
      row.getString("transaction")),
    row.getInteger("max_parallelism"),
    (JsonObject) row.getJson("rollout"));

  /** Every column the mapper reads, for the repositories' SELECT lists. */
  public static final String COLUMNS = """
    s.step_name, s.step_id, s.job_version, s.target_group_id, s.target_group_name, s.credential_id,
    s.credential_name, s.command_type, s.command_source, s.command, s.output_type, s.output_engine,
    s.output_server_name, s.output_database_name, s.output_schema_name, s.output_table_name,
    s.output_credential_id, s.output_credential_name, s.output_ssl_mode, s.step_timeout_seconds, s.retry_attempts,
    s.initial_retry_interval_seconds, s.maximum_retry_interval_seconds, s.retry_interval_backoff_multiplier,
    s.retry_on, s.transaction, s.max_parallelism, s.rollout""";

  private static Output output(Row row) {
    return row.getString("output_type") == null ? null : new Output(
      row.getString("output_type"),
      row.getString("output_engine"),
      row.getString("output_server_name"),
      row.getString("output_database_name"),
      row.getString("output_schema_name"),
      row.getString("output_table_name"),
      row.getUUID("output_credential_id"),
      row.getString("output_credential_name"),
      row.getString("output_ssl_mode"));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("name", name)
      .put("stepId", stepId)
      .put("jobVersion", jobVersion)
      .put("targetGroup", targetGroup);
    if (credential != null) {
      json.put("credential", credential);
    }
    json.put("action", new JsonObject()
      .put("type", action.type())
      .put("source", action.source())
      .put("value", action.value()));
    if (output != null) {
      JsonObject out = new JsonObject()
        .put("type", output.type())
        .put("engine", output.engine())
        .put("serverName", output.serverName())
        .put("databaseName", output.databaseName())
        .put("schemaName", output.schemaName())
        .put("tableName", output.tableName());
      if (output.credential() != null) {
        out.put("credential", output.credential());
      }
      if (output.sslMode() != null) {
        out.put("sslMode", output.sslMode());
      }
      json.put("output", out);
    }
    json.put("executionOptions", new JsonObject()
      .put("timeoutSeconds", executionOptions.timeoutSeconds())
      .put("retryAttempts", executionOptions.retryAttempts())
      .put("initialRetryIntervalSeconds", executionOptions.initialRetryIntervalSeconds())
      .put("maximumRetryIntervalSeconds", executionOptions.maximumRetryIntervalSeconds())
      .put("retryIntervalBackoffMultiplier", executionOptions.retryIntervalBackoffMultiplier())
      .put("retryOn", executionOptions.retryOn())
      .put("transaction", executionOptions.transaction()));
    if (maxParallelism != null) {
      json.put("maxParallelism", maxParallelism);
    }
    if (rollout != null) {
      json.put("rollout", rollout.copy());
    }
    return json;
  }
}
