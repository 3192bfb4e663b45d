package io.fleetjobs.server.metrics;

import io.fleetjobs.alerts.rules.AlertMetric;
import io.fleetjobs.alerts.rules.MetricSample;
import io.fleetjobs.alerts.rules.MetricSnapshot;
import io.fleetjobs.alerts.source.MetricSource;
import io.fleetjobs.alerts.source.RecentExecution;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The alert metrics, read from the execution history itself rather than from per-minute counters: a
 * window of a few seconds is then exact, and executions finished by every agent are counted.
 */
public final class JobMetricSource implements MetricSource {
  private static final String DELETED_JOB = "(deleted job)";
  private final Pool pool;

  public JobMetricSource(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<MetricSnapshot> snapshot(Duration window) {
    // The left join from the clock row returns the snapshot's time even when nothing ended in the window.
    return pool.preparedQuery("""
        WITH clock AS (SELECT clock_timestamp() AS at)
        SELECT c.at, t.lifecycle, coalesce(j.job_name, $2) AS job_name, t.step_name, t.server_name,
               t.database_name, greatest(0, floor(extract(epoch FROM c.at - t.end_time)))::bigint AS age,
               count(t.target_execution_id) AS executions
          FROM clock c
          LEFT JOIN jobs_internal.target_executions t
                 ON t.end_time > c.at - $1 * interval '1 millisecond'
                AND t.lifecycle IN ('Succeeded', 'Failed', 'TimedOut')
          LEFT JOIN jobs_internal.jobs j ON j.job_id = t.job_id
         GROUP BY 1, 2, 3, 4, 5, 6, 7""")
      .execute(Tuple.of(window.toMillis(), DELETED_JOB))
      .map(rows -> {
        Instant at = null;
        List<MetricSample> samples = new ArrayList<>();
        for (Row row : rows) {
          at = row.getOffsetDateTime("at").toInstant();
          if (row.getString("lifecycle") != null) {
            samples.add(new MetricSample(
              AlertMetric.ofLifecycle(row.getString("lifecycle")).orElseThrow(),
              row.getString("job_name"),
              row.getString("step_name"),
              row.getString("server_name"),
              row.getString("database_name"),
              row.getLong("age"),
              row.getLong("executions")));
          }
        }
        return new MetricSnapshot(at, samples);
      });
  }

  @Override
  public Future<List<RecentExecution>> recent(SqlClient on, List<AlertMetric> metrics, Instant since, int limit) {
    return on.preparedQuery("""
        SELECT t.lifecycle, t.job_execution_id, coalesce(j.job_name, $4) AS job_name, t.step_name, t.server_name,
               t.database_name, t.end_time, t.last_message
          FROM jobs_internal.target_executions t
          LEFT JOIN jobs_internal.jobs j ON j.job_id = t.job_id
         WHERE t.end_time >= $1 AND t.lifecycle = ANY($2)
         ORDER BY t.end_time DESC
         LIMIT $3""")
      .execute(Tuple.of(since.atOffset(ZoneOffset.UTC), metrics.stream().map(AlertMetric::lifecycle)
        .toArray(String[]::new), limit, DELETED_JOB))
      .map(rows -> {
        List<RecentExecution> recent = new ArrayList<>();
        rows.forEach(row -> recent.add(new RecentExecution(
          AlertMetric.ofLifecycle(row.getString("lifecycle")).orElseThrow(),
          row.getUUID("job_execution_id"),
          row.getString("job_name"),
          row.getString("step_name"),
          row.getString("server_name"),
          row.getString("database_name"),
          row.getOffsetDateTime("end_time").toInstant(),
          row.getString("last_message"))));
        return recent;
      });
  }
}
