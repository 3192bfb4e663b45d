package io.fleetjobs.server.jobs.executions;

import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.fleetjobs.server.db.SqlFailures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Steering running executions: pausing them (an operator, or an alert rule's pause action), resuming a paused
 * one (with a raised error budget), aborting it. The rules are jobs_internal routines (R__executions.sql).
 */
public final class RolloutRepository {
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> pause;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> resume;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> abort;
  private final Clock clock;

  public RolloutRepository(Pool pool, Clock clock) {
    this.clock = clock;
    pause = SqlTemplate.forQuery(pool, """
        SELECT paused FROM jobs_internal.pause_executions(#{jobs}::text[], #{reason}) AS paused""");
    resume = SqlTemplate.forQuery(pool, """
        SELECT jobs_internal.resume_execution(#{job}, #{id}, #{budget}::jsonb, #{by}, #{now}) AS resumed""");
    abort = SqlTemplate.forQuery(pool, "SELECT jobs_internal.abort_execution(#{job}, #{id})");
  }

  /**
   * Pauses the active executions of these jobs (null: of every job).
   *
   * @return the executions it paused
   */
  public Future<List<UUID>> pause(List<String> jobNames, String reason) {
    return pause.execute(Params.of("jobs", jobNames == null ? null : jobNames.toArray(String[]::new),
        "reason", reason))
      .map(rows -> Rows.list(rows).stream().map(row -> row.getUUID("paused")).toList())
      .recover(SqlFailures::translate);
  }

  /**
   * @param errorBudget a raised error budget for the paused steps' rollouts, or null
   * @param resumedBy who resumed it, for the execution's record
   * @return false when the execution was not paused
   */
  public Future<Boolean> resume(String jobName, UUID id, JsonObject errorBudget, String resumedBy) {
    return resume.execute(Params.of("job", jobName, "id", id, "budget", errorBudget, "by", resumedBy,
        "now", Params.utc(clock.instant())))
      .map(rows -> rows.iterator().next().getBoolean("resumed"))
      .recover(SqlFailures::translate);
  }

  public Future<Void> abort(String jobName, UUID id) {
    return abort.execute(Params.of("job", jobName, "id", id)).<Void>mapEmpty().recover(SqlFailures::translate);
  }
}
