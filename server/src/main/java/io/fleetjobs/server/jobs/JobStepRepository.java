package io.fleetjobs.server.jobs;

import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.fleetjobs.server.db.SqlFailures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * All SQL on steps. Each change is one call of a jobs_internal routine that validates it, writes a new
 * job version and renumbers the steps, in one statement and so in one transaction.
 */
public final class JobStepRepository {
  private final JobRepository jobs;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> save;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> delete;
  private final SqlTemplate<Map<String, Object>, RowSet<JobStep>> steps;
  private final SqlTemplate<Map<String, Object>, RowSet<JobStep>> pinned;

  /** What a save did: the version it produced (unchanged when the definition was), where the step is. */
  public record Saved(int jobVersion, int stepId, boolean created) {
  }

  public JobStepRepository(Pool pool, JobRepository jobs) {
    this.jobs = jobs;
    save = SqlTemplate.forQuery(pool, """
        SELECT job_version, step_id, created
          FROM jobs_internal.save_jobstep(#{job}, #{step}, #{stepId}, #{definition}::jsonb, 'upsert')""");
    delete = SqlTemplate.forQuery(pool, "SELECT jobs_internal.delete_jobstep(#{job}, #{step}) AS job_version");
    // version NULL reads the current version; step NULL reads every step of the version.
    steps = SqlTemplate.forQuery(pool, "SELECT " + JobStep.COLUMNS + """
          FROM jobs_internal.jobstep_versions s
          JOIN jobs_internal.jobs j ON j.job_id = s.job_id
         WHERE j.job_name = #{job}
           AND s.job_version = coalesce(#{version}::integer, j.job_version)
           AND (#{step}::text IS NULL OR s.step_name = #{step})
         ORDER BY s.step_id""")
      .mapTo(JobStep.ROW_MAPPER);
    pinned = SqlTemplate.forQuery(pool, "SELECT " + JobStep.COLUMNS + """
          FROM jobs_internal.jobstep_versions s
         WHERE s.job_id = #{jobId} AND s.job_version = #{version} AND s.step_id = #{stepId}""")
      .mapTo(JobStep.ROW_MAPPER);
  }

  /** One step of one version; versions never change, so callers may keep what this returns. */
  public Future<JobStep> pinned(UUID jobId, int version, int stepId) {
    return pinned.execute(Params.of("jobId", jobId, "version", version, "stepId", stepId))
      .compose(rows -> Rows.single(rows, () -> new NotFound("stepId", "Job version " + version + " has no step " + stepId)));
  }

  /** @param definition snake_case step settings, as jobs_internal.step_of reads them */
  public Future<Saved> save(String job, String step, Integer stepId, JsonObject definition) {
    return save.execute(Params.of("job", job, "step", step, "stepId", stepId, "definition", definition))
      .map(rows -> {
        Row row = rows.iterator().next();
        return new Saved(row.getInteger("job_version"), row.getInteger("step_id"), row.getBoolean("created"));
      })
      .recover(SqlFailures::translate);
  }

  /** @return the new job version */
  public Future<Integer> delete(String job, String step) {
    return delete.execute(Params.of("job", job, "step", step))
      .map(rows -> rows.iterator().next().getInteger("job_version"))
      .recover(SqlFailures::translate);
  }

  /** @param version null for the current version */
  public Future<List<JobStep>> list(String job, Integer version) {
    Future<?> exists = version == null ? jobs.get(job) : jobs.version(job, version);
    return exists.compose(found -> steps.execute(Params.of("job", job, "version", version, "step", null)))
      .map(Rows::list);
  }

  /** @param version null for the current version */
  public Future<JobStep> get(String job, Integer version, String step) {
    Future<?> exists = version == null ? jobs.get(job) : jobs.version(job, version);
    return exists.compose(found -> steps.execute(Params.of("job", job, "version", version, "step", step)))
      .compose(rows -> Rows.single(rows, () -> new NotFound("step_name",
        "Job '" + job + "' has no step '" + step + "'" + (version == null ? "" : " in version " + version) + ".")));
  }
}
