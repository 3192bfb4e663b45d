package io.fleetjobs.server.jobs.executions;

import io.fleetjobs.common.sql.Params;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Counts executions' targets by step and lifecycle, for the execution page and the live feed. One statement
 * for any number of executions, read from the (job_execution_id, step_id, lifecycle) index; the last minute's
 * throughput from the (job_execution_id, end_time) one.
 */
public final class ExecutionSummaryRepository {
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> summaries;

  public ExecutionSummaryRepository(Pool pool) {
    // Every step of the pinned version is listed, started or not, so a page can show the steps still to come.
    summaries = SqlTemplate.forQuery(pool, """
        WITH x AS (
          SELECT e.job_execution_id, e.job_id, e.job_version,
                 greatest(now() - interval '1 minute', coalesce(e.start_time, now())) AS window_start
            FROM jobs_internal.job_executions e
           WHERE e.job_execution_id = ANY (#{ids}::uuid[])
        ), finished AS (
          SELECT x.job_execution_id,
                 (SELECT count(*) FROM jobs_internal.target_executions f
                   WHERE f.job_execution_id = x.job_execution_id AND f.end_time >= x.window_start) AS finished
            FROM x
        ), counts AS (
          SELECT t.job_execution_id, t.step_id, t.lifecycle, count(*) AS targets
            FROM jobs_internal.target_executions t
           WHERE t.job_execution_id = ANY (#{ids}::uuid[])
           GROUP BY t.job_execution_id, t.step_id, t.lifecycle
        )
        SELECT x.job_execution_id, f.finished, extract(epoch FROM now() - x.window_start) * 1000 AS window_ms,
               now() AS as_of, v.step_id, v.step_name, s.lifecycle AS step_lifecycle, c.lifecycle, c.targets
          FROM x
          JOIN finished f ON f.job_execution_id = x.job_execution_id
          LEFT JOIN jobs_internal.jobstep_versions v ON v.job_id = x.job_id AND v.job_version = x.job_version
          LEFT JOIN jobs_internal.step_executions s
                 ON s.job_execution_id = x.job_execution_id AND s.step_id = v.step_id
          LEFT JOIN counts c ON c.job_execution_id = x.job_execution_id AND c.step_id = v.step_id
         ORDER BY x.job_execution_id, v.step_id""");
  }

  /** @return the summary of each execution that exists, by id */
  public Future<Map<UUID, ExecutionSummary>> summaries(Collection<UUID> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return summaries.execute(Params.of("ids", ids.toArray(UUID[]::new))).map(ExecutionSummaryRepository::read);
  }

  private static Map<UUID, ExecutionSummary> read(RowSet<Row> rows) {
    Map<UUID, List<Row>> byExecution = new LinkedHashMap<>();
    rows.forEach(row -> byExecution.computeIfAbsent(row.getUUID("job_execution_id"), id -> new ArrayList<>()).add(row));
    Map<UUID, ExecutionSummary> summaries = new LinkedHashMap<>();
    byExecution.forEach((id, execution) -> {
      Map<Integer, ExecutionSummary.Step> steps = new LinkedHashMap<>();
      for (Row row : execution) {
        Integer stepId = row.getInteger("step_id");
        if (stepId == null) {
          continue;
        }
        ExecutionSummary.Step step = steps.computeIfAbsent(stepId, key -> new ExecutionSummary.Step(key,
          row.getString("step_name"), row.getString("step_lifecycle"), new TargetCounts()));
        if (row.getString("lifecycle") != null) {
          step.targets().add(Lifecycle.of(row.getString("lifecycle")), row.getLong("targets"));
        }
      }
      Row first = execution.get(0);
      summaries.put(id, new ExecutionSummary(id, List.copyOf(steps.values()), first.getLong("finished"),
        Duration.ofMillis(first.getNumeric("window_ms").longValue()),
        first.getOffsetDateTime("as_of").toInstant()));
    });
    return summaries;
  }
}
