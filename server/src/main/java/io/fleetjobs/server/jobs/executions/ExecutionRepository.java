package io.fleetjobs.server.jobs.executions;

import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.fleetjobs.server.db.Page;
import io.fleetjobs.server.db.SqlFailures;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** All SQL that starts, cancels, reads and purges executions. The engine's own claims are in jobs.claims. */
public final class ExecutionRepository {
  /** The list filters of the Azure API, on a table aliased x. */
  private static final String FILTERS = """
       AND (#{createMin}::timestamptz IS NULL OR x.create_time >= #{createMin})
       AND (#{createMax}::timestamptz IS NULL OR x.create_time <= #{createMax})
       AND (#{endMin}::timestamptz IS NULL OR x.end_time >= #{endMin})
       AND (#{endMax}::timestamptz IS NULL OR x.end_time <= #{endMax})
       AND (#{active}::boolean IS NULL OR EXISTS (SELECT 1 FROM jobs_internal.lifecycles l
                                                   WHERE l.lifecycle = x.lifecycle AND l.is_active = #{active}))
       AND (#{lifecycle}::text IS NULL OR x.lifecycle = #{lifecycle})""";

  private final SqlTemplate<Map<String, Object>, RowSet<Row>> start;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> rerun;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> cancel;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> purge;
  private final SqlTemplate<Map<String, Object>, RowSet<ExecutionNode>> parents;
  private final SqlTemplate<Map<String, Object>, RowSet<ExecutionNode>> steps;
  private final SqlTemplate<Map<String, Object>, RowSet<ExecutionNode>> targets;

  /** What a start did: the execution, and whether this call created it (false for a repeated id). */
  public record Started(UUID jobExecutionId, boolean created) {
  }

  public ExecutionRepository(Pool pool) {
    start = SqlTemplate.forQuery(pool, """
        SELECT job_execution_id, created
          FROM jobs_internal.start_execution(#{job}, #{id}, #{trigger}, #{scheduledTime}, #{dryRun})""");
    rerun = SqlTemplate.forQuery(pool,
      "SELECT jobs_internal.rerun_failed_targets(#{job}, #{source}, #{id}, #{version}) AS id");
    cancel = SqlTemplate.forQuery(pool, "SELECT jobs_internal.cancel_execution(#{job}, #{id}) AS canceled");
    purge = SqlTemplate.forQuery(pool,
      "SELECT jobs_internal.purge_job_history(#{job}, NULL, #{oldest}) AS purged");
    parents = SqlTemplate.forQuery(pool, """
        SELECT x.job_execution_id, j.job_name, x.job_version, NULL::integer AS step_id, NULL::text AS step_name,
               x.lifecycle, x.create_time, x.start_time, x.end_time, 0 AS current_attempts,
               NULL::timestamptz AS current_attempt_start_time, NULL::timestamptz AS next_attempt_start_time,
               x.last_message, NULL::text AS target_type, NULL::uuid AS target_id, NULL::text AS target_group_name,
               NULL::text AS target_server_name, NULL::text AS target_database_name, NULL::text AS target_engine,
               x.rerun_of,
               jsonb_build_object('dryRun', x.dry_run, 'pausedReason',
                 (SELECT s.paused_reason FROM jobs_internal.step_executions s
                   WHERE s.job_execution_id = x.job_execution_id AND s.lifecycle = 'Paused'
                   ORDER BY s.step_id LIMIT 1)) AS extension
          FROM jobs_internal.job_executions x
          JOIN jobs_internal.jobs j ON j.job_id = x.job_id
         WHERE (#{job}::text IS NULL OR j.job_name = #{job})
           AND (#{id}::uuid IS NULL OR x.job_execution_id = #{id})""" + FILTERS + """

         ORDER BY x.create_time DESC, x.job_execution_id
         LIMIT #{limit} OFFSET #{offset}""")
      .mapTo(ExecutionNode.ROW_MAPPER);
    steps = SqlTemplate.forQuery(pool, """
        SELECT x.job_execution_id, j.job_name, e.job_version, x.step_id, x.step_name, x.lifecycle, x.create_time,
               x.start_time, x.end_time, 0 AS current_attempts, NULL::timestamptz AS current_attempt_start_time,
               NULL::timestamptz AS next_attempt_start_time, x.last_message, 'TargetGroup' AS target_type,
               NULL::uuid AS target_id, x.target_group_name, NULL::text AS target_server_name,
               NULL::text AS target_database_name, NULL::text AS target_engine, NULL::uuid AS rerun_of,
               jsonb_strip_nulls(jsonb_build_object('pausedReason', x.paused_reason,
                 'rollout', jobs_internal.rollout_state(x.job_execution_id, x.step_id))) AS extension
          FROM jobs_internal.step_executions x
          JOIN jobs_internal.job_executions e ON e.job_execution_id = x.job_execution_id
          JOIN jobs_internal.jobs j ON j.job_id = e.job_id
         WHERE x.job_execution_id = #{id}
           AND (#{step}::text IS NULL OR x.step_name = #{step})""" + FILTERS + """

         ORDER BY x.step_id""")
      .mapTo(ExecutionNode.ROW_MAPPER);
    targets = SqlTemplate.forQuery(pool, """
        SELECT x.job_execution_id, j.job_name, e.job_version, x.step_id, x.step_name, x.lifecycle, x.create_time,
               x.start_time, x.end_time, x.current_attempts, x.current_attempt_start_time, x.next_attempt_start_time,
               x.last_message, x.target_type, x.target_id, s.target_group_name, x.server_name AS target_server_name,
               x.database_name AS target_database_name, x.engine AS target_engine, NULL::uuid AS rerun_of,
               jsonb_strip_nulls(jsonb_build_object('wave', x.wave, 'canary', CASE WHEN x.canary THEN true END,
                 'dryRunResult', x.dry_run_result)) AS extension
          FROM jobs_internal.target_executions x
          JOIN jobs_internal.step_executions s ON s.job_execution_id = x.job_execution_id AND s.step_id = x.step_id
          JOIN jobs_internal.job_executions e ON e.job_execution_id = x.job_execution_id
          JOIN jobs_internal.jobs j ON j.job_id = e.job_id
         WHERE x.job_execution_id = #{id}
           AND (#{step}::text IS NULL OR x.step_name = #{step})""" + FILTERS + """

         ORDER BY x.step_id, x.server_name, x.database_name
         LIMIT #{limit} OFFSET #{offset}""")
      .mapTo(ExecutionNode.ROW_MAPPER);
  }

  /** @param id the caller's id for an idempotent start, or a new one */
  public Future<Started> start(String jobName, UUID id, String trigger, Instant scheduledTime) {
    return start(jobName, id, trigger, scheduledTime, false);
  }

  /** @param dryRun every script runs inside a transaction that is rolled back (README "Rollouts") */
  public Future<Started> start(String jobName, UUID id, String trigger, Instant scheduledTime, boolean dryRun) {
    return start.execute(Params.of("job", jobName, "id", id, "trigger", trigger, "scheduledTime",
        Params.utc(scheduledTime), "dryRun", dryRun))
      .map(rows -> {
        Row row = rows.iterator().next();
        return new Started(row.getUUID("job_execution_id"), row.getBoolean("created"));
      })
      .recover(SqlFailures::translate);
  }

  /**
   * Starts a new execution limited to the targets that failed in {@code sourceId}; returns its id.
   * @param jobVersion the version to run, or null for the job's current version
   */
  public Future<UUID> rerunFailed(String jobName, UUID sourceId, Integer jobVersion) {
    return rerun.execute(Params.of("job", jobName, "source", sourceId, "id", UUID.randomUUID(), "version", jobVersion))
      .map(rows -> rows.iterator().next().getUUID("id"))
      .recover(SqlFailures::translate);
  }

  /** @return false when the execution had already ended */
  public Future<Boolean> cancel(String jobName, UUID id) {
    return cancel.execute(Params.of("job", jobName, "id", id))
      .map(rows -> rows.iterator().next().getBoolean("canceled"))
      .recover(SqlFailures::translate);
  }

  /**
   * Deletes finished executions, with their steps and targets, that ended before {@code oldest}
   * (jobs_internal.purge_job_history, which sp_purge_jobhistory calls too).
   * @param oldest null for all history
   * @return how many job executions went
   */
  public Future<Integer> purge(String jobName, Instant oldest) {
    return purge.execute(Params.of("job", jobName, "oldest", Params.utc(oldest)))
      .map(rows -> rows.iterator().next().getInteger("purged"))
      .recover(SqlFailures::translate);
  }

  /** @param jobName null to find the execution by its id alone */
  public Future<ExecutionNode> get(String jobName, UUID id) {
    return parents.execute(filterParams(new ExecutionFilter(jobName, null, null, null, null, null, null, 1, 0), id))
      .compose(rows -> Rows.single(rows, () -> notFound(jobName, id)));
  }

  public Future<Page<ExecutionNode>> list(ExecutionFilter filter) {
    return parents.execute(filterParams(filter, null)).map(rows -> Page.of(Rows.list(rows), filter.top()));
  }

  /** @param stepName null for every step */
  public Future<List<ExecutionNode>> steps(String jobName, UUID id, String stepName, ExecutionFilter filter) {
    return get(jobName, id)
      .compose(parent -> steps.execute(withStep(filterParams(filter, id), stepName)))
      .map(Rows::list);
  }

  /** @param stepName null for the targets of every step */
  public Future<Page<ExecutionNode>> targets(String jobName, UUID id, String stepName, ExecutionFilter filter) {
    return get(jobName, id)
      .compose(parent -> targets.execute(withStep(filterParams(filter, id), stepName)))
      .map(rows -> Page.of(Rows.list(rows), filter.top()));
  }

  private static Map<String, Object> filterParams(ExecutionFilter filter, UUID id) {
    return Params.of(
      "job", filter.jobName(),
      "id", id,
      "createMin", Params.utc(filter.createTimeMin()),
      "createMax", Params.utc(filter.createTimeMax()),
      "endMin", Params.utc(filter.endTimeMin()),
      "endMax", Params.utc(filter.endTimeMax()),
      "active", filter.isActive(),
      "lifecycle", filter.lifecycle(),
      "limit", Page.probeLimit(filter.top()),
      "offset", filter.skip());
  }

  private static Map<String, Object> withStep(Map<String, Object> params, String stepName) {
    params.put("step", stepName);
    return params;
  }


  private static NotFound notFound(String jobName, UUID id) {
    return new NotFound("jobExecutionId", jobName == null ? "There is no job execution " + id + "."
      : "Job '" + jobName + "' has no execution " + id + ".");
  }
}
