package io.fleetjobs.server.jobs.executions;

import io.fleetjobs.common.sql.Params;
import io.fleetjobs.server.db.Page;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Groups an execution's Failed and TimedOut targets by cause (see R__triage.sql), the largest group first. */
public final class FailureGroupRepository {
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> groups;

  /** A page of groups, how many groups there are, and how many targets failed in all. */
  public record Groups(Page<FailureGroup> page, long groups, long failedTargets) {
  }

  public FailureGroupRepository(Pool pool) {
    // Only the failures are read (from the (job_execution_id, step_id, lifecycle) index) and normalized. The
    // totals row is joined to the page, so a page past the last group still says how many there are.
    groups = SqlTemplate.forQuery(pool, """
        WITH failed AS (
          SELECT x.target_execution_id, x.step_name, x.server_name, x.database_name, x.lifecycle,
                 x.last_error_code, x.last_message,
                 jobs_internal.failure_cause(x.last_message, x.server_name, x.database_name) AS cause
            FROM jobs_internal.target_executions x
           WHERE x.job_execution_id = #{id}
             AND x.lifecycle IN ('Failed', 'TimedOut')
             AND (#{step}::text IS NULL OR x.step_name = #{step})
        ), grouped AS (
          SELECT jobs_internal.failure_group(f.lifecycle, f.last_error_code, f.cause) AS failure_group,
                 f.lifecycle, f.last_error_code AS error_code, f.cause, count(*) AS targets,
                 (array_agg(f.last_message ORDER BY f.server_name, f.database_name, f.step_name))[1] AS example_message,
                 array_agg(DISTINCT f.step_name) AS step_names,
                 (array_agg(jsonb_build_object('targetExecutionId', f.target_execution_id, 'stepName', f.step_name,
                                               'serverName', f.server_name,
                                               'databaseName', nullif(f.database_name, ''))
                            ORDER BY f.server_name, f.database_name, f.step_name))[1:#{firstTargets}] AS first_targets
            FROM failed f
           GROUP BY f.lifecycle, f.last_error_code, f.cause
        )
        SELECT totals.groups, totals.failed_targets, p.failure_group, p.lifecycle, p.error_code, p.cause, p.targets,
               p.example_message, p.step_names, p.first_targets
          FROM (SELECT count(*) AS groups, coalesce(sum(g.targets), 0) AS failed_targets FROM grouped g) totals
          LEFT JOIN LATERAL (
            SELECT g.failure_group, g.lifecycle, g.error_code, g.cause, g.targets, g.example_message, g.step_names,
                   to_jsonb(g.first_targets) AS first_targets
              FROM grouped g
             ORDER BY g.targets DESC, g.cause, g.lifecycle, g.error_code
             LIMIT #{limit} OFFSET #{offset}) p ON true""");
  }

  /** @param stepName null for every step */
  public Future<Groups> groups(UUID id, String stepName, int top, int skip) {
    return groups.execute(Params.of("id", id, "step", stepName, "firstTargets", FailureGroup.FIRST_TARGETS,
        "limit", Page.probeLimit(top), "offset", skip))
      .map(rows -> {
        List<FailureGroup> found = new ArrayList<>();
        long groupCount = 0;
        long failed = 0;
        for (Row row : rows) {
          groupCount = row.getLong("groups");
          failed = row.getNumeric("failed_targets").longValue();
          if (row.getString("failure_group") != null) {
            found.add(FailureGroup.ROW_MAPPER.map(row));
          }
        }
        return new Groups(Page.of(found, top), groupCount, failed);
      });
  }
}
