package io.fleetjobs.server.jobs.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.jobs.JobSchedule;
import io.fleetjobs.server.jobs.ScheduleInterval;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScheduleCalculatorTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant END = Instant.parse("9999-12-31T11:59:59Z");

  @Test
  void recurring_fires_at_start_plus_k_intervals() {
    Recurring every15 = new Recurring("Minutes", 15);
    assertEquals(Optional.of(Instant.parse("2026-01-01T10:15:00Z")),
      ScheduleCalculator.due(every15.build(), Instant.parse("2026-01-01T10:00:00Z"), Instant.parse("2026-01-01T10:16:30Z")));
    assertEquals(Optional.empty(), ScheduleCalculator.due(every15.build(), Instant.parse("2026-01-01T10:15:00Z"),
      Instant.parse("2026-01-01T10:29:59Z")), "not due again until the next quarter hour");
  }

  @Test
  void after_downtime_a_missed_schedule_fires_once_for_the_latest_occurrence() {
    Recurring hourly = new Recurring("Hours", 1);
    Instant lastFired = Instant.parse("2026-01-01T03:00:00Z");
    Instant backAfterNineHours = Instant.parse("2026-01-01T12:20:00Z");
    Optional<Instant> due = ScheduleCalculator.due(hourly.build(), lastFired, backAfterNineHours);
    assertEquals(Optional.of(Instant.parse("2026-01-01T12:00:00Z")), due);
    assertEquals(Optional.empty(), ScheduleCalculator.due(hourly.build(), due.get(), backAfterNineHours),
      "once fired, the nine missed hours do not fire again");
  }

  @Test
  void a_schedule_that_starts_in_the_past_and_never_fired_is_due_at_once_for_its_latest_occurrence() {
    Instant elasticJobsDefault = Instant.parse("0001-01-01T00:00:00Z");
    JobSchedule every15 = new JobSchedule(true, new ScheduleInterval("Minutes", 15), elasticJobsDefault, END, null, null);
    Instant enabled = Instant.parse("2026-11-29T22:07:31Z");
    Optional<Instant> due = ScheduleCalculator.due(every15, null, enabled);
    assertEquals(Optional.of(Instant.parse("2026-11-29T22:00:00Z")), due);
    assertEquals(Optional.empty(), ScheduleCalculator.due(every15, due.get(), enabled.plusSeconds(60)), "once");
    assertEquals(Optional.of(Instant.parse("2026-11-29T22:15:00Z")), ScheduleCalculator.next(every15, due.get(), enabled),
      "then on its schedule");
    JobSchedule daily = new JobSchedule(true, new ScheduleInterval("Days", 1), elasticJobsDefault, END, null, null);
    assertEquals(Optional.of(Instant.parse("2026-11-29T00:00:00Z")), ScheduleCalculator.due(daily, null, enabled));
  }

  @Test
  void a_schedule_enabled_again_after_missing_occurrences_catches_up_once() {
    Recurring daily = new Recurring("Days", 1);
    Instant firedBeforeDisabling = Instant.parse("2026-03-01T00:00:00Z");
    Instant enabledAgainAWeekLater = Instant.parse("2026-03-08T09:30:00Z");
    Optional<Instant> due = ScheduleCalculator.due(daily.build(), firedBeforeDisabling, enabledAgainAWeekLater);
    assertEquals(Optional.of(Instant.parse("2026-03-08T00:00:00Z")), due, "the latest missed occurrence, at once");
    assertEquals(Optional.empty(), ScheduleCalculator.due(daily.build(), due.get(), enabledAgainAWeekLater));
    assertEquals(Optional.of(Instant.parse("2026-03-09T00:00:00Z")),
      ScheduleCalculator.next(daily.build(), due.get(), enabledAgainAWeekLater), "then at its next scheduled time");
  }

  @Test
  void months_follow_the_calendar() {
    Recurring monthly = new Recurring("Months", 1);
    assertEquals(Optional.of(Instant.parse("2026-03-01T00:00:00Z")), ScheduleCalculator.due(monthly.build(),
      Instant.parse("2026-02-01T00:00:00Z"), Instant.parse("2026-03-15T00:00:00Z")));
    Recurring quarterly = new Recurring("Months", 3);
    assertEquals(Optional.of(Instant.parse("2026-04-01T00:00:00Z")), ScheduleCalculator.due(quarterly.build(),
      Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-06-30T00:00:00Z")));
  }

  @Test
  void once_fires_at_its_start_time_and_never_again() {
    JobSchedule once = new JobSchedule(true, ScheduleInterval.ONCE, START, END, null, null);
    assertEquals(Optional.empty(), ScheduleCalculator.due(once, null, START.minusSeconds(1)));
    assertEquals(Optional.of(START), ScheduleCalculator.due(once, null, START.plusSeconds(90)));
    assertEquals(Optional.empty(), ScheduleCalculator.due(once, START, START.plusSeconds(3600)));
  }

  @Test
  void disabled_and_ended_schedules_do_not_fire() {
    JobSchedule disabled = new JobSchedule(false, new ScheduleInterval("Minutes", 1), START, END, null, null);
    assertEquals(Optional.empty(), ScheduleCalculator.due(disabled, null, START.plusSeconds(600)));
    Instant end = START.plusSeconds(3600);
    JobSchedule ended = new JobSchedule(true, new ScheduleInterval("Minutes", 10), START, end, null, null);
    assertEquals(Optional.of(end), ScheduleCalculator.due(ended, START.plusSeconds(600), START.plusSeconds(7200)),
      "the last occurrence within the window still fires once");
    assertEquals(Optional.empty(), ScheduleCalculator.due(ended, end, START.plusSeconds(9999)));
  }

  @Test
  void cron_honours_its_time_zone_across_daylight_saving() {
    JobSchedule berlin = new JobSchedule(true, new ScheduleInterval(ScheduleInterval.CRON, 1), START, END,
      "0 8 * * *", "Europe/Berlin");
    // 08:00 in Berlin is 06:00 UTC in summer (CEST) and 07:00 UTC in winter (CET).
    assertEquals(Optional.of(Instant.parse("2026-07-01T06:00:00Z")),
      ScheduleCalculator.due(berlin, Instant.parse("2026-06-30T06:00:00Z"), Instant.parse("2026-07-01T06:30:00Z")));
    assertEquals(Optional.of(Instant.parse("2026-01-15T07:00:00Z")),
      ScheduleCalculator.due(berlin, Instant.parse("2026-01-14T07:00:00Z"), Instant.parse("2026-01-15T07:00:00Z")));
    assertEquals(Optional.empty(),
      ScheduleCalculator.due(berlin, Instant.parse("2026-01-14T07:00:00Z"), Instant.parse("2026-01-15T06:59:59Z")),
      "06:59 UTC is 07:59 in Berlin: not yet");
    assertTrue(ScheduleCalculator.due(berlin, null, Instant.parse("2026-01-15T07:00:00Z")).isPresent());
  }

  @Test
  void next_run_is_the_first_occurrence_after_now_or_the_one_still_pending() {
    Recurring every15 = new Recurring("Minutes", 15);
    Instant fired = Instant.parse("2026-01-01T10:15:00Z");
    assertEquals(Optional.of(Instant.parse("2026-01-01T10:30:00Z")),
      ScheduleCalculator.next(every15.build(), fired, Instant.parse("2026-01-01T10:16:30Z")));
    assertEquals(Optional.of(fired), ScheduleCalculator.next(every15.build(), Instant.parse("2026-01-01T10:00:00Z"),
      Instant.parse("2026-01-01T10:16:30Z")), "an occurrence due but not fired yet runs next");
    assertEquals(Optional.of(START), ScheduleCalculator.next(every15.build(), null, START.minusSeconds(60)),
      "before the start, the start");
    assertEquals(Optional.of(Instant.parse("2026-05-01T00:00:00Z")), ScheduleCalculator.next(
      new Recurring("Months", 2).build(), Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-04-10T00:00:00Z")));
  }

  @Test
  void next_run_is_empty_when_nothing_is_left() {
    JobSchedule once = new JobSchedule(true, ScheduleInterval.ONCE, START, END, null, null);
    assertEquals(Optional.of(START), ScheduleCalculator.next(once, null, START.minusSeconds(1)));
    assertEquals(Optional.empty(), ScheduleCalculator.next(once, START, START.plusSeconds(1)));
    JobSchedule disabled = new JobSchedule(false, new ScheduleInterval("Minutes", 1), START, END, null, null);
    assertEquals(Optional.empty(), ScheduleCalculator.next(disabled, null, START.plusSeconds(600)));
    Instant end = START.plusSeconds(3600);
    JobSchedule ending = new JobSchedule(true, new ScheduleInterval("Minutes", 45), START, end, null, null);
    assertEquals(Optional.empty(), ScheduleCalculator.next(ending, START.plusSeconds(2700), START.plusSeconds(2800)),
      "the next occurrence would fall after the end");
  }

  @Test
  void next_cron_run_follows_its_time_zone() {
    JobSchedule berlin = new JobSchedule(true, new ScheduleInterval(ScheduleInterval.CRON, 1), START, END,
      "0 8 * * *", "Europe/Berlin");
    assertEquals(Optional.of(Instant.parse("2026-07-02T06:00:00Z")),
      ScheduleCalculator.next(berlin, Instant.parse("2026-07-01T06:00:00Z"), Instant.parse("2026-07-01T06:30:00Z")));
  }

  /** A recurring UTC schedule from START. */
  private record Recurring(String type, int count) {
    JobSchedule build() {
      return new JobSchedule(true, new ScheduleInterval(type, count), START, END, null, null);
    }
  }
}
