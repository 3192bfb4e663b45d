package io.fleetjobs.server.jobs.claims;

import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.bus.TargetWork;
import io.fleetjobs.server.targets.ConnectionSettings;
import io.vertx.sqlclient.templates.RowMapper;

/** The row shapes the claim routines return, one mapper each. */
final class ClaimRows {
  /** A row of jobs_internal.claim_targets. */
  static final RowMapper<TargetWork> WORK = row -> new TargetWork(
    row.getUUID("target_execution_id"),
    row.getInteger("claim"),
    row.getInteger("current_attempts"),
    row.getUUID("job_execution_id"),
    row.getOffsetDateTime("execution_create_time").toInstant(),
    row.getUUID("job_id"),
    row.getString("job_name"),
    row.getInteger("job_version"),
    row.getInteger("step_id"),
    row.getString("step_name"),
    row.getString("target_group_name"),
    row.getString("engine"),
    row.getString("server_name"),
    row.getString("database_name"),
    new ConnectionSettings(row.getBoolean("trust_server_certificate"), row.getString("ssl_mode"),
      row.getString("authentication")),
    row.getBoolean("dry_run"));

  /** A target_executions row as finish_targets and sweep return it, with its job's name joined. */
  static final RowMapper<TargetFinished> FINISHED = row -> new TargetFinished(
    row.getUUID("target_execution_id"),
    row.getUUID("job_execution_id"),
    row.getString("job_name"),
    row.getInteger("step_id"),
    row.getString("step_name"),
    row.getString("server_name"),
    row.getString("database_name"),
    row.getString("lifecycle"),
    row.getInteger("current_attempts"),
    row.getString("last_message"));

  private ClaimRows() {
  }
}
