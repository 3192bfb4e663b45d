package io.fleetjobs.server.jobs;

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
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** All SQL on jobs and their versions. Definition rules live in the jobs_internal routines. */
public final class JobRepository {
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> save;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> delete;
  private final SqlTemplate<Map<String, Object>, RowSet<Job>> page;
  private final SqlTemplate<Map<String, Object>, RowSet<JobVersion>> versions;
  private final Clock clock;

  /** @param clock where a new or changed cron schedule starts counting from */
  public JobRepository(Pool pool, Clock clock) {
    this.clock = clock;
    save = SqlTemplate.forQuery(pool, """
        SELECT jobs_internal.save_job(#{name}, #{description}, #{enabled}, #{intervalType}, #{intervalCount},
                                      #{startTime}, #{endTime}, #{overlapPolicy}, #{cron}, #{timeZone},
                                      #{now}) AS created""");
    delete = SqlTemplate.forQuery(pool, "SELECT jobs_internal.delete_job(#{name}, #{force})");
    // name NULL lists all jobs.
    page = SqlTemplate.forQuery(pool, """
        SELECT j.job_id, j.job_name, j.description, j.job_version, j.overlap_policy, j.enabled,
               j.schedule_interval_type, j.schedule_interval_count, j.schedule_start_time, j.schedule_end_time,
               j.schedule_cron, j.schedule_time_zone, j.last_scheduled_time,
               last.job_execution_id AS last_execution_id, last.lifecycle AS last_lifecycle,
               last.create_time AS last_create_time, last.end_time AS last_end_time
          FROM jobs_internal.jobs j
          LEFT JOIN LATERAL (
                SELECT e.job_execution_id, e.lifecycle, e.create_time, e.end_time
                  FROM jobs_internal.job_executions e
                 WHERE e.job_id = j.job_id
                 ORDER BY e.create_time DESC
                 LIMIT 1) last ON true
         WHERE #{name}::text IS NULL OR j.job_name = #{name}
         ORDER BY j.job_name
         LIMIT #{limit} OFFSET #{offset}""")
      .mapTo(Job.ROW_MAPPER);
    // version NULL lists every version of the job.
    versions = SqlTemplate.forQuery(pool, """
        SELECT v.job_version, v.created_time
          FROM jobs_internal.job_versions v
          JOIN jobs_internal.jobs j USING (job_id)
         WHERE j.job_name = #{name} AND (#{version}::integer IS NULL OR v.job_version = #{version})
         ORDER BY v.job_version""")
      .mapTo(JobVersion.ROW_MAPPER);
  }

  /**
   * @param overlapPolicy null for the default, SkipTargets
   * @return true when the job was created, false when replaced
   */
  public Future<Boolean> save(String name, String description, String overlapPolicy, ScheduleInput schedule) {
    return save.execute(Params.of(
        "name", name,
        "description", description,
        "enabled", schedule.enabled(),
        "intervalType", schedule.intervalType(),
        "intervalCount", schedule.intervalCount(),
        "startTime", Params.utc(schedule.startTime()),
        "endTime", Params.utc(schedule.endTime()),
        "overlapPolicy", overlapPolicy,
        "cron", schedule.cronExpression(),
        "timeZone", schedule.timeZone(),
        "now", Params.utc(clock.instant())))
      .map(rows -> rows.iterator().next().getBoolean("created"))
      .recover(SqlFailures::translate);
  }

  public Future<Job> get(String name) {
    return page.execute(Params.of("name", name, "limit", 1, "offset", 0))
      .compose(rows -> Rows.single(rows, () -> notFound(name)));
  }

  public Future<Page<Job>> list(int top, int skip) {
    return page.execute(Params.of("name", null, "limit", Page.probeLimit(top), "offset", skip))
      .map(rows -> Page.of(Rows.list(rows), top));
  }

  /** @param force cancel active executions instead of refusing */
  public Future<Void> delete(String name, boolean force) {
    return delete.execute(Params.of("name", name, "force", force)).<Void>mapEmpty().recover(SqlFailures::translate);
  }

  public Future<List<JobVersion>> versions(String name) {
    return get(name).compose(job -> versions.execute(Params.of("name", name, "version", null)))
      .map(Rows::list);
  }

  public Future<JobVersion> version(String name, int version) {
    return get(name).compose(job -> versions.execute(Params.of("name", name, "version", version)))
      .compose(rows -> Rows.single(rows, () -> new NotFound("version",
        "Job '" + name + "' has no version " + version + ".")));
  }


  static NotFound notFound(String name) {
    return new NotFound("job_name", "Job '" + name + "' does not exist.");
  }
}
