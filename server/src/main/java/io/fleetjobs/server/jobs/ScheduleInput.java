package io.fleetjobs.server.jobs;

import java.time.Instant;

/**
 * A schedule as a caller gave it, in the T-SQL form; null fields take the defaults of jobs_internal.save_job,
 * the one place defaults live, so the REST API and the sp_* procedures store the same thing.
 */
public record ScheduleInput(
  Boolean enabled,
  String intervalType,
  Integer intervalCount,
  Instant startTime,
  Instant endTime,
  String cronExpression,
  String timeZone) {
}
