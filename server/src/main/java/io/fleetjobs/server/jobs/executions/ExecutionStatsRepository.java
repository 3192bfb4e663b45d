package io.fleetjobs.server.jobs.executions;

import io.fleetjobs.common.sql.Params;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Succeeded, failed and timed-out target executions over time, for the dashboard's chart. Read from the
 * per-minute metric counts the engine keeps anyway, so a week costs at most 10,080 small rows, however
 * many executions ran.
 */
public final class ExecutionStatsRepository {
  /** How far back a chart looks, and how wide each of its bars is. */
  public enum Interval {
    PT1H(Duration.ofHours(1), Duration.ofMinutes(1)),
    P1D(Duration.ofDays(1), Duration.ofMinutes(15)),
    P7D(Duration.ofDays(7), Duration.ofHours(1));

    final Duration span;
    final Duration grain;

    Interval(Duration span, Duration grain) {
      this.span = span;
      this.grain = grain;
    }
  }

  private final SqlTemplate<Map<String, Object>, RowSet<Row>> buckets;

  public ExecutionStatsRepository(Pool pool) {
    // Bars start at whole multiples of the grain since the epoch, as the zero-filled series below does.
    buckets = SqlTemplate.forQuery(pool, """
        SELECT floor(extract(epoch FROM bucket_start) / #{grain})::bigint * #{grain} AS bar_start,
               sum(count) FILTER (WHERE metric_name = 'elastic_jobs_successful') AS succeeded,
               sum(count) FILTER (WHERE metric_name = 'elastic_jobs_failed') AS failed,
               sum(count) FILTER (WHERE metric_name = 'elastic_jobs_timeout') AS timed_out
          FROM jobs_internal.metric_counts
         WHERE bucket_start >= #{from}
         GROUP BY 1""");
  }

  /** @return {"interval", "grain", "buckets": [{"time", "succeeded", "failed", "timedOut"}]}, oldest first */
  public Future<JsonObject> series(Interval interval, Instant now) {
    long grain = interval.grain.getSeconds();
    long first = (now.minus(interval.span).getEpochSecond() / grain + 1) * grain;
    return buckets.execute(Params.of("grain", grain, "from", Params.utc(Instant.ofEpochSecond(first))))
      .map(rows -> {
        Map<Long, Row> byStart = new HashMap<>();
        rows.forEach(row -> byStart.put(row.getLong("bar_start"), row));
        JsonArray series = new JsonArray();
        for (long start = first; start <= now.getEpochSecond(); start += grain) {
          Row row = byStart.get(start);
          series.add(new JsonObject()
            .put("time", Instant.ofEpochSecond(start).toString())
            .put("succeeded", count(row, "succeeded"))
            .put("failed", count(row, "failed"))
            .put("timedOut", count(row, "timed_out")));
        }
        return new JsonObject()
          .put("interval", interval.name())
          .put("grain", interval.grain.toString())
          .put("buckets", series);
      });
  }

  private static long count(Row row, String column) {
    return row == null || row.getValue(column) == null ? 0 : row.getNumeric(column).longValue();
  }
}
