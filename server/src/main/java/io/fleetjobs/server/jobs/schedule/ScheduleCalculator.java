package io.fleetjobs.server.jobs.schedule;

import com.cronutils.model.time.ExecutionTime;
import io.fleetjobs.server.jobs.JobSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

/**
 * Which schedule occurrence is due. Pure: it takes the time as an argument. Only the latest occurrence
 * not yet fired is due, so missed occurrences fire once, not once per missed interval: after downtime, when
 * a job disabled meanwhile is enabled again (disabling keeps the occurrence fired last), and when a schedule
 * that starts in the past is enabled for the first time, which therefore runs at once and then on its
 * schedule, as in Elastic Jobs.
 */
public final class ScheduleCalculator {
  private static final Map<String, Duration> FIXED = Map.of(
    "Minutes", Duration.ofMinutes(1),
    "Hours", Duration.ofHours(1),
    "Days", Duration.ofDays(1),
    "Weeks", Duration.ofDays(7));

  private ScheduleCalculator() {
  }

  /**
   * @param lastFired the occurrence fired last, or null for none (never fired: the latest occurrence is due)
   * @return the occurrence to fire now, if any
   */
  public static Optional<Instant> due(JobSchedule schedule, Instant lastFired, Instant now) {
    if (!schedule.enabled() || now.isBefore(schedule.startTime())) {
      return Optional.empty();
    }
    Instant limit = now.isAfter(schedule.endTime()) ? schedule.endTime() : now;
    Optional<Instant> latest = latestOccurrence(schedule, limit);
    return latest.filter(occurrence -> !occurrence.isBefore(schedule.startTime()))
      .filter(occurrence -> lastFired == null || occurrence.isAfter(lastFired));
  }

  /**
   * When the job runs by itself next: an occurrence due now but not fired yet, else the first one after
   * {@code now}; empty when the schedule is disabled or has nothing left before its end.
   */
  public static Optional<Instant> next(JobSchedule schedule, Instant lastFired, Instant now) {
    Optional<Instant> pending = due(schedule, lastFired, now);
    if (!schedule.enabled() || pending.isPresent()) {
      return pending;
    }
    return firstOccurrenceAfter(schedule, now.isBefore(schedule.startTime()) ? schedule.startTime().minusNanos(1) : now)
      .filter(occurrence -> !occurrence.isAfter(schedule.endTime()))
      .filter(occurrence -> lastFired == null || occurrence.isAfter(lastFired));
  }

  /** The first occurrence strictly after {@code after}, which is not before the schedule's start. */
  private static Optional<Instant> firstOccurrenceAfter(JobSchedule schedule, Instant after) {
    String type = schedule.interval().intervalType();
    Instant start = schedule.startTime();
    if (type.equals("Once")) {
      return start.isAfter(after) ? Optional.of(start) : Optional.empty();
    }
    if (schedule.isCron()) {
      return ExecutionTime.forCron(CronExpressions.parse(schedule.cronExpression(), "cronExpression"))
        .nextExecution(after.atZone(ZoneId.of(schedule.timeZone())))
        .map(ZonedDateTime::toInstant);
    }
    if (after.isBefore(start)) {
      return Optional.of(start);
    }
    Optional<Instant> latest = latestOccurrence(schedule, after);
    int count = schedule.interval().intervalCount();
    if (type.equals("Months")) {
      return latest.map(occurrence -> occurrence.atZone(ZoneOffset.UTC).plusMonths(count).toInstant());
    }
    return latest.map(occurrence -> occurrence.plusSeconds(FIXED.get(type).getSeconds() * count));
  }

  /** The last occurrence at or before {@code limit}. */
  private static Optional<Instant> latestOccurrence(JobSchedule schedule, Instant limit) {
    String type = schedule.interval().intervalType();
    Instant start = schedule.startTime();
    if (type.equals("Once")) {
      return Optional.of(start);
    }
    if (schedule.isCron()) {
      ZonedDateTime zonedLimit = limit.atZone(ZoneId.of(schedule.timeZone())).plusNanos(1);
      return ExecutionTime.forCron(CronExpressions.parse(schedule.cronExpression(), "cronExpression"))
        .lastExecution(zonedLimit)
        .map(ZonedDateTime::toInstant);
    }
    int count = schedule.interval().intervalCount();
    if (type.equals("Months")) {
      ZonedDateTime first = start.atZone(ZoneOffset.UTC);
      long months = ChronoUnit.MONTHS.between(first, limit.atZone(ZoneOffset.UTC));
      ZonedDateTime occurrence = first.plusMonths(months - months % count);
      return Optional.of(occurrence.toInstant());
    }
    long period = FIXED.get(type).getSeconds() * count;
    long elapsed = Duration.between(start, limit).getSeconds();
    return Optional.of(start.plusSeconds(elapsed - elapsed % period));
  }
}
