package io.fleetjobs.alerts.suppress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SuppressionScheduleTest {
  private static final String NIGHTLY_IN_BERLIN = """
    {"timeZone": "Europe/Berlin",
      "recurrences": [{"recurrenceType": "Daily", "startTime": "22:00:00", "endTime": "02:00:00"}]}
    """;

  @Test
  void one_off_window_is_active_from_its_start_until_its_end_in_its_zone() {
    SuppressionSchedule patchNight = schedule("""
      {"effectiveFrom": "2026-12-01T22:00:00", "effectiveUntil": "2026-12-02T02:00:00", "timeZone": "Europe/Berlin"}
      """);
    assertInactive(patchNight, "2026-12-01T20:59:59Z");
    assertActiveUntil(patchNight, "2026-12-01T21:00:00Z", "2026-12-02T01:00:00Z");
    assertActiveUntil(patchNight, "2026-12-02T00:59:59Z", "2026-12-02T01:00:00Z");
    assertInactive(patchNight, "2026-12-02T01:00:00Z");
  }

  @Test
  void daily_window_crossing_midnight_ends_the_next_morning() {
    SuppressionSchedule nightly = schedule(NIGHTLY_IN_BERLIN);
    assertInactive(nightly, "2026-12-01T20:59:59Z");
    assertActiveUntil(nightly, "2026-12-01T21:00:00Z", "2026-12-02T01:00:00Z");
    assertActiveUntil(nightly, "2026-12-02T00:30:00Z", "2026-12-02T01:00:00Z");
    assertInactive(nightly, "2026-12-02T01:00:00Z");
    assertInactive(nightly, "2026-12-02T12:00:00Z");
  }

  @Test
  void daily_window_ending_in_the_spring_forward_gap_ends_when_the_clocks_have_jumped() {
    SuppressionSchedule nightly = schedule(NIGHTLY_IN_BERLIN);
    // 02:00 does not exist on 2026-03-29 in Berlin: it is read as 03:00 CEST.
    assertActiveUntil(nightly, "2026-03-28T21:00:00Z", "2026-03-29T01:00:00Z");
    assertActiveUntil(nightly, "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z");
    assertInactive(nightly, "2026-03-29T01:00:00Z");
    assertInactive(nightly, "2026-03-29T19:59:59Z");
    assertActiveUntil(nightly, "2026-03-29T20:00:00Z", "2026-03-30T00:00:00Z");
  }

  @Test
  void daily_window_ending_in_the_repeated_autumn_hour_ends_at_its_first_occurrence() {
    SuppressionSchedule nightly = schedule(NIGHTLY_IN_BERLIN);
    assertActiveUntil(nightly, "2026-10-24T20:00:00Z", "2026-10-25T00:00:00Z");
    assertInactive(nightly, "2026-10-25T00:30:00Z");
    assertInactive(nightly, "2026-10-25T01:30:00Z");
    assertActiveUntil(nightly, "2026-10-25T21:00:00Z", "2026-10-26T01:00:00Z");
  }

  @Test
  void window_across_a_clock_change_lasts_the_real_time_between_its_local_ends() {
    SuppressionSchedule earlyHours = schedule("""
      {"timeZone": "Europe/Berlin",
        "recurrences": [{"recurrenceType": "Daily", "startTime": "01:00:00", "endTime": "04:00:00"}]}
      """);
    assertActiveUntil(earlyHours, "2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z");
    assertActiveUntil(earlyHours, "2026-10-24T23:00:00Z", "2026-10-25T03:00:00Z");
    assertActiveUntil(earlyHours, "2026-10-25T02:30:00Z", "2026-10-25T03:00:00Z");
  }

  @Test
  void window_starting_in_the_spring_forward_gap_starts_as_much_later_as_the_gap_is_long() {
    SuppressionSchedule lateNight = schedule("""
      {"timeZone": "Europe/Berlin",
        "recurrences": [{"recurrenceType": "Daily", "startTime": "02:30:00", "endTime": "05:00:00"}]}
      """);
    assertInactive(lateNight, "2026-03-29T01:15:00Z");
    assertActiveUntil(lateNight, "2026-03-29T01:30:00Z", "2026-03-29T03:00:00Z");
    assertActiveUntil(lateNight, "2026-03-30T00:30:00Z", "2026-03-30T03:00:00Z");
  }

  @Test
  void weekly_window_is_active_only_on_its_days() {
    SuppressionSchedule weekend = schedule("""
      {"recurrences": [{"recurrenceType": "Weekly", "daysOfWeek": ["Saturday", "Sunday"],
        "startTime": "00:00:00", "endTime": "23:59:59"}]}
      """);
    assertInactive(weekend, "2026-12-04T23:59:59Z");
    assertActiveUntil(weekend, "2026-12-05T00:00:00Z", "2026-12-05T23:59:59Z");
    assertActiveUntil(weekend, "2026-12-06T12:00:00Z", "2026-12-06T23:59:59Z");
    assertInactive(weekend, "2026-12-06T23:59:59Z");
    assertInactive(weekend, "2026-12-07T12:00:00Z");
  }

  @Test
  void weekly_whole_days_next_to_each_other_make_one_window() {
    SuppressionSchedule weekend = schedule("""
      {"recurrences": [{"recurrenceType": "Weekly", "daysOfWeek": ["Saturday", "Sunday"]}]}
      """);
    assertActiveUntil(weekend, "2026-12-05T09:00:00Z", "2026-12-07T00:00:00Z");
  }

  @Test
  void weekly_window_crossing_midnight_belongs_to_the_day_it_starts() {
    SuppressionSchedule fridayNight = schedule("""
      {"recurrences": [
        {"recurrenceType": "Weekly", "daysOfWeek": ["Friday"], "startTime": "22:00:00", "endTime": "02:00:00"}]}
      """);
    assertActiveUntil(fridayNight, "2026-12-05T01:00:00Z", "2026-12-05T02:00:00Z");
    assertInactive(fridayNight, "2026-12-04T01:00:00Z");
  }

  @Test
  void effective_bounds_cap_recurring_windows() {
    SuppressionSchedule bounded = schedule("""
      {"effectiveFrom": "2026-12-01T22:00:00", "effectiveUntil": "2026-12-03T02:00:00",
        "recurrences": [{"recurrenceType": "Daily", "startTime": "20:00:00", "endTime": "08:00:00"}]}
      """);
    assertInactive(bounded, "2026-12-01T21:00:00Z");
    assertActiveUntil(bounded, "2026-12-01T22:00:00Z", "2026-12-02T08:00:00Z");
    assertInactive(bounded, "2026-12-02T12:00:00Z");
    assertActiveUntil(bounded, "2026-12-02T21:00:00Z", "2026-12-03T02:00:00Z");
    assertInactive(bounded, "2026-12-03T02:00:00Z");
    assertInactive(bounded, "2026-12-03T21:00:00Z");
  }

  @Test
  void adjacent_windows_merge_into_one() {
    SuppressionSchedule night = schedule("""
      {"recurrences": [
        {"recurrenceType": "Daily", "startTime": "22:00:00", "endTime": "02:00:00"},
        {"recurrenceType": "Daily", "startTime": "02:00:00", "endTime": "06:00:00"}]}
      """);
    assertActiveUntil(night, "2026-12-01T23:00:00Z", "2026-12-02T06:00:00Z");
    assertActiveUntil(night, "2026-12-02T03:00:00Z", "2026-12-02T06:00:00Z");
  }

  @Test
  void overlapping_windows_are_followed_across_days() {
    SuppressionSchedule chain = schedule("""
      {"recurrences": [
        {"recurrenceType": "Daily", "startTime": "22:00:00", "endTime": "02:00:00"},
        {"recurrenceType": "Weekly", "daysOfWeek": ["Saturday"]}]}
      """);
    assertActiveUntil(chain, "2026-12-04T23:00:00Z", "2026-12-06T02:00:00Z");
    assertActiveUntil(chain, "2026-12-03T23:00:00Z", "2026-12-04T02:00:00Z");
  }

  @Test
  void windows_that_never_break_run_until_effective_until_or_for_ever() {
    String everyDay = "{\"recurrenceType\": \"Daily\"}";
    assertEquals(Optional.of(Instant.MAX), schedule("{\"recurrences\": [" + everyDay + "]}")
      .activeUntil(Instant.parse("2026-12-01T12:00:00Z")));
    assertActiveUntil(schedule("{\"effectiveUntil\": \"2030-01-01T00:00:00\", \"recurrences\": [" + everyDay + "]}"),
      "2026-12-01T12:00:00Z", "2030-01-01T00:00:00Z");
    assertActiveUntil(schedule("{\"effectiveUntil\": \"2027-03-01T00:00:00\", \"recurrences\": [" + everyDay + "]}"),
      "2026-12-01T12:00:00Z", "2027-03-01T00:00:00Z");
  }

  private static SuppressionSchedule schedule(String json) {
    JsonObject body = new JsonObject()
      .put("mode", "Drop")
      .put("schedule", new JsonObject(json));
    return ProcessingRule
      .fromJson("window", body)
      .schedule();
  }

  private static void assertActiveUntil(SuppressionSchedule schedule, String at, String until) {
    assertEquals(Optional.of(Instant.parse(until)), schedule.activeUntil(Instant.parse(at)), "at " + at);
  }

  private static void assertInactive(SuppressionSchedule schedule, String at) {
    assertEquals(Optional.empty(), schedule.activeUntil(Instant.parse(at)), "at " + at);
  }
}
