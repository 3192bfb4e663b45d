package io.fleetjobs.server.jobs;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** When a job runs by itself. {@code enabled} gates only the schedule; a disabled job still starts by hand. */
public record JobSchedule(boolean enabled, ScheduleInterval interval, Instant startTime, Instant endTime) {

  /** Both forms at once: REST's type and interval, and T-SQL's interval type and count. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("type", interval.recurring() ? "Recurring" : "Once")
      .put("enabled", enabled);
    if (interval.recurring()) {
      json.put("interval", interval.toIso());
    }
    return json
      .put("startTime", startTime.toString())
      .put("endTime", endTime.toString())
      .put("scheduleIntervalType", interval.intervalType())
      .put("scheduleIntervalCount", interval.intervalCount());
  }
}
