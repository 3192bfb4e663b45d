package io.fleetjobs.server.live;

import io.fleetjobs.common.sql.Params;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which executions may have changed: every active one (its targets move on), and every one created or
 * ended since a moment. Read from the job database, so changes made by other agents show too.
 */
public final class ExecutionChangeRepository {
  /** Changes found by one check, and the database's clock when it ran, to start the next check from. */
  public record Changes(List<ExecutionChange> executions, Instant checkedAt) {
  }

  private final SqlTemplate<Map<String, Object>, RowSet<Row>> changed;

  public ExecutionChangeRepository(Pool pool) {
    // Three index-backed arms rather than one OR, which would read the whole history on every check.
    changed = SqlTemplate.forQuery(pool, """
        SELECT e.job_execution_id, j.job_name, e.lifecycle, l.is_active AS active,
               e.end_time, clock_timestamp() AS checked_at
          FROM jobs_internal.job_executions e
          JOIN jobs_internal.jobs j ON j.job_id = e.job_id
          JOIN jobs_internal.lifecycles l ON l.lifecycle = e.lifecycle
         WHERE e.job_execution_id IN (
                 SELECT a.job_execution_id FROM jobs_internal.job_executions a
                  -- Spelled out, as the partial index job_executions_active is, so that index serves it.
                  WHERE a.lifecycle IN ('Created', 'InProgress', 'WaitingForRetry', 'WaitingForChildJobExecutions')
                 UNION
                 SELECT c.job_execution_id FROM jobs_internal.job_executions c WHERE c.create_time >= #{since}
                 UNION
                 SELECT d.job_execution_id FROM jobs_internal.job_executions d WHERE d.end_time >= #{since})
        -- One more row, with only the database's clock: the next check starts from it even when nothing changed.
        UNION ALL
        SELECT NULL, NULL, NULL, NULL, NULL, clock_timestamp()""");
  }

  public Future<Changes> since(Instant since) {
    return changed.execute(Params.of("since", Params.utc(since)))
      .map(rows -> {
        Instant checkedAt = null;
        List<ExecutionChange> changes = new ArrayList<>();
        for (Row row : rows) {
          checkedAt = row.getOffsetDateTime("checked_at").toInstant();
          if (row.getUUID("job_execution_id") != null) {
            changes.add(new ExecutionChange(row.getUUID("job_execution_id"), row.getString("job_name"),
              row.getString("lifecycle"), row.getBoolean("active"),
              row.getOffsetDateTime("end_time") == null ? null : row.getOffsetDateTime("end_time").toInstant()));
          }
        }
        return new Changes(changes, checkedAt);
      });
  }
}
