package io.fleetjobs.server.jobs;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * When a job runs by itself, as stored. {@code enabled} gates only the schedule; a disabled job still
 * starts by hand. A Cron schedule carries its expression and IANA time zone.
 */
public record JobSchedule(boolean enabled, ScheduleInterval interval, Instant startTime, Instant endTime,
                          String cronExpression, String timeZone) {

  public boolean isCron() {
    return interval.intervalType().equals(ScheduleInterval.CRON);
  }

  /** Both forms at once: REST's type and interval, and T-SQL's interval type and count. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("type", isCron() ? "Cron" : interval.recurring() ? "Recurring" : "Once")
      .put("enabled", enabled);
    if (isCron()) {
      json.put("cronExpression", cronExpression).put("timeZone", timeZone);
    } else if (interval.recurring()) {
      json.put("interval", interval.toIso());
    }
    return json
      .put("startTime", startTime.toString())
      .put("endTime", endTime.toString())
      .put("scheduleIntervalType", interval.intervalType())
      .put("scheduleIntervalCount", interval.intervalCount());
  }
}
