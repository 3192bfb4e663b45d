package io.fleetjobs.server.jobs.executions;

import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.fleetjobs.server.db.Page;
import io.fleetjobs.server.db.SqlFailures;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
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

  /** A target list's filters, on target_executions aliased x: the Azure ones, then the fleet view's. */
  private static final String TARGET_FILTERS = """
      x.job_execution_id = #{id}
         AND (#{step}::text IS NULL OR x.step_name = #{step})""" + FILTERS + """

         AND (#{lifecycles}::text[] IS NULL OR x.lifecycle = ANY (#{lifecycles}::text[]))
         AND (#{search}::text IS NULL
              OR strpos(lower(x.server_name || '/' || x.database_name), lower(#{search}::text)) > 0)
         AND (#{failureGroup}::text IS NULL
              OR (x.lifecycle IN ('Failed', 'TimedOut')
                  AND jobs_internal.failure_group(x.lifecycle, x.last_error_code,
                        jobs_internal.failure_cause(x.last_message, x.server_name, x.database_name))
                      = #{failureGroup}::text))""";

  private final SqlTemplate<Map<String, Object>, RowSet<Row>> start;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> rerun;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> cancel;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> purge;
  private final SqlTemplate<Map<String, Object>, RowSet<ExecutionNode>> parents;
  private final SqlTemplate<Map<String, Object>, RowSet<ExecutionNode>> steps;
  private final Map<TargetSort, SqlTemplate<Map<String, Object>, RowSet<Row>>> targets =
    new EnumMap<>(TargetSort.class);
  private final Map<TargetSort, SqlTemplate<Map<String, Object>, RowSet<Row>>> targetsAfter =
    new EnumMap<>(TargetSort.class);
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> countTargets;
  private final SqlTemplate<Map<String, Object>, RowSet<TargetAttempt>> attempts;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> targetOf;

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
               NULL::text AS target_ssl_mode, NULL::text AS target_authentication,
               x.rerun_of, NULL::uuid AS target_execution_id, NULL::text AS last_error_code,
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
               NULL::text AS target_database_name, NULL::text AS target_engine, NULL::text AS target_ssl_mode,
               NULL::text AS target_authentication, NULL::uuid AS rerun_of,
               NULL::uuid AS target_execution_id, NULL::text AS last_error_code,
               jsonb_strip_nulls(jsonb_build_object('pausedReason', x.paused_reason,
                 'rollout', jobs_internal.rollout_state(x.job_execution_id, x.step_id))) AS extension
          FROM jobs_internal.step_executions x
          JOIN jobs_internal.job_executions e ON e.job_execution_id = x.job_execution_id
          JOIN jobs_internal.jobs j ON j.job_id = e.job_id
         WHERE x.job_execution_id = #{id}
           AND (#{step}::text IS NULL OR x.step_name = #{step})""" + FILTERS + """

         ORDER BY x.step_id""")
      .mapTo(ExecutionNode.ROW_MAPPER);
    // The page is cut from target_executions alone, in the order asked for (see TargetSort), before the joins,
    // so a page of 100 out of 10,000 targets reads 100 rows of the other tables. With a cursor the page starts
    // after the cursor's row in the order's index, instead of counting $skip rows to it.
    for (TargetSort sort : TargetSort.values()) {
      targets.put(sort, SqlTemplate.forQuery(pool, targetPage(sort, "")));
      targetsAfter.put(sort, SqlTemplate.forQuery(pool, targetPage(sort, "\n AND (" + sort.after() + ")")));
    }
    countTargets = SqlTemplate.forQuery(pool,
      "SELECT count(*) AS targets FROM jobs_internal.target_executions x WHERE " + TARGET_FILTERS);
    // Every recorded attempt, oldest first, and the one running now, which is recorded when it ends.
    attempts = SqlTemplate.forQuery(pool, """
        SELECT a.attempt, a.claim, a.agent, a.start_time, a.end_time, a.outcome, a.error_code, a.message
          FROM jobs_internal.target_attempts a
         WHERE a.target_execution_id = #{target}
        UNION ALL
        SELECT t.current_attempts, t.claim, t.lease_owner, t.current_attempt_start_time, NULL, t.lifecycle, NULL, NULL
          FROM jobs_internal.target_executions t
         WHERE t.target_execution_id = #{target} AND t.lifecycle = 'InProgress'
           AND NOT EXISTS (SELECT 1 FROM jobs_internal.target_attempts r
                            WHERE r.target_execution_id = t.target_execution_id AND r.claim = t.claim)
         ORDER BY 2""")
      .mapTo(TargetAttempt.ROW_MAPPER);
    targetOf = SqlTemplate.forQuery(pool, """
        SELECT t.target_execution_id
          FROM jobs_internal.target_executions t
         WHERE t.target_execution_id = #{target} AND t.job_execution_id = #{id}""");
  }

  private static String targetPage(TargetSort sort, String after) {
    return """
        SELECT x.job_execution_id, j.job_name, e.job_version, x.step_id, x.step_name, x.lifecycle, x.create_time,
               x.start_time, x.end_time, x.current_attempts, x.current_attempt_start_time,
               x.next_attempt_start_time, x.last_message, x.target_type, x.target_id, s.target_group_name,
               x.server_name AS target_server_name, x.database_name AS target_database_name,
               x.engine AS target_engine, x.ssl_mode AS target_ssl_mode, x.authentication AS target_authentication,
               NULL::uuid AS rerun_of, x.target_execution_id, x.last_error_code,
               jsonb_strip_nulls(jsonb_build_object('wave', x.wave, 'canary', CASE WHEN x.canary THEN true END,
                 'dryRunResult', x.dry_run_result)) AS extension, x.sort_key
          FROM (SELECT x.target_execution_id, x.job_execution_id, x.step_id, x.step_name, x.lifecycle,
                       x.create_time, x.start_time, x.end_time, x.current_attempts, x.current_attempt_start_time,
                       x.next_attempt_start_time, x.last_message, x.target_type, x.target_id, x.server_name,
                       x.database_name, x.engine, x.ssl_mode, x.authentication, x.last_error_code, x.wave,
                       x.canary, x.dry_run_result,\s""" + sort.keySelect() + """

                  FROM jobs_internal.target_executions x
                 WHERE\s""" + TARGET_FILTERS + after + """

                 ORDER BY\s""" + sort.orderBy() + """

                 LIMIT #{limit} OFFSET #{offset}) x
          JOIN jobs_internal.step_executions s ON s.job_execution_id = x.job_execution_id AND s.step_id = x.step_id
          JOIN jobs_internal.job_executions e ON e.job_execution_id = x.job_execution_id
          JOIN jobs_internal.jobs j ON j.job_id = e.job_id
         ORDER BY\s""" + sort.orderBy();
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

  /**
   * A page of an execution's targets, how many match the filter in all, and the cursor of the page after it.
   *
   * @param next the $skipToken of the next page; null on the last page
   */
  public record Counted(Page<ExecutionNode> page, long total, String next) {
  }

  /** @param stepName null for the targets of every step */
  public Future<Counted> targets(String jobName, UUID id, String stepName, TargetFilter filter) {
    Map<String, Object> params = targetParams(filterParams(filter.base(), id), stepName, filter);
    var page = filter.after() == null ? targets.get(filter.sort()) : targetsAfter.get(filter.sort());
    return get(jobName, id)
      .compose(parent -> Future.all(page.execute(params)
          .recover(e -> Future.failedFuture(filter.after() != null && e instanceof PgException pg
            && pg.getSqlState() != null && pg.getSqlState().startsWith("22") ? TargetCursor.unreadable() : e)),
        countTargets.execute(params)))
      .map(both -> {
        List<Row> rows = new ArrayList<>();
        both.<RowSet<Row>>resultAt(0).forEach(rows::add);
        RowSet<Row> count = both.resultAt(1);
        int top = filter.base().top();
        String next = rows.size() > top
          ? new TargetCursor(filter.sort(), Arrays.asList(rows.get(top - 1).getArrayOfStrings("sort_key"))).encode()
          : null;
        return new Counted(Page.of(rows.stream().map(ExecutionNode.ROW_MAPPER::map).toList(), top),
          count.iterator().next().getLong("targets"), next);
      });
  }

  /** Every attempt of one target of the execution, oldest first; the running one has no end yet. */
  public Future<List<TargetAttempt>> attempts(String jobName, UUID id, UUID targetExecutionId) {
    return get(jobName, id)
      .compose(parent -> targetOf.execute(Params.of("target", targetExecutionId, "id", id)))
      .compose(rows -> Rows.single(rows, () -> new NotFound("targetExecutionId",
        "Execution " + id + " has no target execution " + targetExecutionId + ".")))
      .compose(found -> attempts.execute(Params.of("target", targetExecutionId)))
      .map(Rows::list);
  }

  private static Map<String, Object> targetParams(Map<String, Object> params, String stepName, TargetFilter filter) {
    params.put("step", stepName);
    params.put("lifecycles", filter.lifecycleValues());
    params.put("search", filter.search());
    params.put("failureGroup", filter.failureGroup());
    if (filter.after() != null) {
      filter.after().addTo(params);
    }
    return params;
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
