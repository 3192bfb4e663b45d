package io.fleetjobs.server.jobs;

import io.fleetjobs.server.jobs.schedule.ScheduleCalculator;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.templates.RowMapper;
import java.time.Instant;
import java.util.UUID;

/** A job as defined; {@code activity} is null where it was not read (the scheduler needs only the definition). */
public record Job(UUID jobId, String name, String description, int version, String overlapPolicy,
                  JobSchedule schedule, JobActivity activity) {
  /** The definition columns of jobs_internal.jobs. */
  public static final RowMapper<Job> DEFINITION_MAPPER = row -> definition(row, null);
  /** The definition plus the last execution and last fired occurrence, as JobRepository reads them. */
  public static final RowMapper<Job> ROW_MAPPER = row -> definition(row, JobActivity.of(row));

  private static Job definition(Row row, JobActivity activity) {
    return new Job(
      row.getUUID("job_id"),
      row.getString("job_name"),
      row.getString("description"),
      row.getInteger("job_version"),
      row.getString("overlap_policy"),
      new JobSchedule(
        row.getBoolean("enabled"),
        new ScheduleInterval(row.getString("schedule_interval_type"), row.getInteger("schedule_interval_count")),
        row.getOffsetDateTime("schedule_start_time").toInstant(),
        row.getOffsetDateTime("schedule_end_time").toInstant(),
        row.getString("schedule_cron"),
        row.getString("schedule_time_zone")),
      activity);
  }

  /** @param now when the next scheduled run is counted from */
  public JsonObject toJson(Instant now) {
    return new JsonObject()
      .put("name", name)
      .put("jobId", jobId.toString())
      .put("description", description)
      .put("version", version)
      .put("overlapPolicy", overlapPolicy)
      .put("schedule", schedule.toJson())
      .put("lastExecution", activity.lastExecutionJson())
      .put("nextRunTime", ScheduleCalculator.next(schedule, activity.lastScheduledTime(), now)
        .map(Instant::toString)
        .orElse(null));
  }
}
