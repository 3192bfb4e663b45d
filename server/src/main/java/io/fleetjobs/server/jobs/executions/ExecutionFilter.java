package io.fleetjobs.server.jobs.executions;

import java.time.Instant;

/** The list filters of the Azure executions API; null means no bound. */
public record ExecutionFilter(
  String jobName,
  Instant createTimeMin,
  Instant createTimeMax,
  Instant endTimeMin,
  Instant endTimeMax,
  Boolean isActive,
  String lifecycle,
  int top,
  int skip) {
}
