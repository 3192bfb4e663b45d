package io.fleetjobs.server.jobs.schedule;

import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.fleetjobs.server.jobs.Job;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** All SQL of the scheduler: which jobs have a schedule, firing an occurrence, and purging old history. */
public final class ScheduleRepository {
  /** An enabled job's schedule, with the occurrence it fired last (kept when the job is disabled or changed). */
  public record Scheduled(Job job, Instant lastFired) {
  }

  private static final RowMapper<Scheduled> SCHEDULED = row -> new Scheduled(Job.DEFINITION_MAPPER.map(row),
    row.getOffsetDateTime("last_scheduled_time") == null ? null
      : row.getOffsetDateTime("last_scheduled_time").toInstant());

  private static final int PURGE_BATCH = 1000;
  private final SqlTemplate<Map<String, Object>, RowSet<Scheduled>> enabled;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> fire;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> purgeHistory;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> purgeMetrics;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> forgetDeletedJobs;

  public ScheduleRepository(Pool pool) {
    enabled = SqlTemplate.forQuery(pool, """
        SELECT j.job_id, j.job_name, j.description, j.job_version, j.overlap_policy, j.enabled,
               j.schedule_interval_type, j.schedule_interval_count, j.schedule_start_time, j.schedule_end_time,
               j.schedule_cron, j.schedule_time_zone, j.last_scheduled_time
          FROM jobs_internal.jobs j
         WHERE j.enabled
           -- Still to fire: an end that passed while the agent was down may leave one occurrence to catch up.
           AND (j.last_scheduled_time IS NULL OR j.last_scheduled_time < j.schedule_end_time)
           -- A job without steps waits: a job enabled before its first step is added (sp_add_job @enabled = 1,
           -- then sp_add_jobstep) runs its due occurrence with that step, not as an empty run.
           AND EXISTS (SELECT 1 FROM jobs_internal.jobstep_versions s
                        WHERE s.job_id = j.job_id AND s.job_version = j.job_version)""")
      .mapTo(SCHEDULED);
    fire = SqlTemplate.forQuery(pool, "SELECT jobs_internal.fire_schedule(#{id}, #{last}, #{due}) AS execution_id");
    // In batches, so a long history is purged in short statements rather than one that times out.
    purgeHistory = SqlTemplate.forQuery(pool, """
        DELETE FROM jobs_internal.job_executions
         WHERE job_execution_id IN (
                 SELECT job_execution_id FROM jobs_internal.job_executions
                  WHERE end_time < #{before}
                    AND lifecycle IN (SELECT l.lifecycle FROM jobs_internal.lifecycles l WHERE NOT l.is_active)
                  LIMIT #{batch})""");
    purgeMetrics = SqlTemplate.forQuery(pool, "DELETE FROM jobs_internal.metric_counts WHERE bucket_start < #{before}");
    forgetDeletedJobs = SqlTemplate.forQuery(pool, "DELETE FROM jobs_internal.deleted_jobs WHERE deleted_time < #{before}");
  }

  public Future<List<Scheduled>> enabled() {
    return enabled.execute(Map.of()).map(Rows::list);
  }

  /** @return the started execution, or null when another agent fired this occurrence first */
  public Future<UUID> fire(UUID jobId, Instant lastFired, Instant due) {
    return fire.execute(Params.of("id", jobId, "last", Params.utc(lastFired), "due", Params.utc(due)))
      .map(rows -> rows.iterator().next().getUUID("execution_id"));
  }

  /**
   * Removes finished executions, metric counts and the memory of deleted jobs older than {@code before}; returns
   * the executions removed.
   */
  public Future<Integer> purge(Instant before) {
    Map<String, Object> params = Params.of("before", Params.utc(before));
    return purgeBatches(before, 0)
      .compose(removed -> purgeMetrics.execute(params)
        .compose(metrics -> forgetDeletedJobs.execute(params))
        .map(forgotten -> removed));
  }

  private Future<Integer> purgeBatches(Instant before, int removedSoFar) {
    return purgeHistory.execute(Params.of("before", Params.utc(before), "batch", PURGE_BATCH))
      .compose(batch -> batch.rowCount() < PURGE_BATCH
        ? Future.succeededFuture(removedSoFar + batch.rowCount())
        : purgeBatches(before, removedSoFar + batch.rowCount()));
  }

}
