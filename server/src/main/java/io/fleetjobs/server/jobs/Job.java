package io.fleetjobs.server.jobs;

import io.fleetjobs.server.jobs.schedule.ScheduleCalculator;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.templates.RowMapper;
import java.time.Instant;
import java.util.UUID;

public record Job(UUID jobId, String name, String description, int version, String overlapPolicy,
                  JobSchedule schedule, JobActivity activity) {
  public static final RowMapper<Job> ROW_MAPPER = row -> new Job(
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
    JobActivity.of(row));

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
