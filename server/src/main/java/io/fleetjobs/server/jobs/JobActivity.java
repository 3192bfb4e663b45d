package io.fleetjobs.server.jobs;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * What a job did last: its newest execution (null before the first) and the schedule occurrence fired
 * last, from which the next run follows. Read with the job, so a job list answers "how did it go, and
 * when does it run again" in one query.
 */
public record JobActivity(UUID lastExecutionId, String lastLifecycle, Instant lastCreateTime, Instant lastEndTime,
                          Instant lastScheduledTime) {

  static JobActivity of(Row row) {
    return new JobActivity(row.getUUID("last_execution_id"), row.getString("last_lifecycle"),
      instant(row.getOffsetDateTime("last_create_time")), instant(row.getOffsetDateTime("last_end_time")),
      instant(row.getOffsetDateTime("last_scheduled_time")));
  }

  /** @return the lastExecution object of the job's JSON, or null before its first execution */
  JsonObject lastExecutionJson() {
    if (lastExecutionId == null) {
      return null;
    }
    return new JsonObject()
      .put("jobExecutionId", lastExecutionId.toString())
      .put("lifecycle", lastLifecycle)
      .put("createTime", lastCreateTime.toString())
      .put("endTime", lastEndTime == null ? null : lastEndTime.toString());
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
