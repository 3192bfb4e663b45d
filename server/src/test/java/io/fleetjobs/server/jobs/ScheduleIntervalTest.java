package io.fleetjobs.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetjobs.common.errors.InvalidInput;
import org.junit.jupiter.api.Test;

class ScheduleIntervalTest {

  @Test
  void iso_durations_map_to_the_largest_whole_unit() {
    assertEquals(new ScheduleInterval("Minutes", 15), ScheduleInterval.fromIso("PT15M", "f"));
    assertEquals(new ScheduleInterval("Hours", 1), ScheduleInterval.fromIso("PT60M", "f"));
    assertEquals(new ScheduleInterval("Minutes", 90), ScheduleInterval.fromIso("PT1H30M", "f"));
    assertEquals(new ScheduleInterval("Days", 2), ScheduleInterval.fromIso("P2D", "f"));
    assertEquals(new ScheduleInterval("Days", 1), ScheduleInterval.fromIso("PT24H", "f"));
    assertEquals(new ScheduleInterval("Weeks", 3), ScheduleInterval.fromIso("P3W", "f"));
    assertEquals(new ScheduleInterval("Months", 1), ScheduleInterval.fromIso("P1M", "f"));
  }

  @Test
  void each_unit_prints_back_as_iso() {
    assertEquals("PT15M", new ScheduleInterval("Minutes", 15).toIso());
    assertEquals("PT2H", new ScheduleInterval("Hours", 2).toIso());
    assertEquals("P1D", new ScheduleInterval("Days", 1).toIso());
    assertEquals("P1W", new ScheduleInterval("Weeks", 1).toIso());
    assertEquals("P6M", new ScheduleInterval("Months", 6).toIso());
    assertNull(ScheduleInterval.ONCE.toIso());
  }

  @Test
  void tsql_counts_normalize_like_their_iso_form() {
    assertEquals(new ScheduleInterval("Hours", 2), new ScheduleInterval("Minutes", 120).normalized());
    assertEquals(new ScheduleInterval("Weeks", 1), new ScheduleInterval("Weeks", 1).normalized());
  }

  @Test
  void seconds_zero_negative_and_nonsense_are_refused_naming_the_field() {
    for (String bad : new String[] {"PT30S", "PT0M", "PT-5M", "daily", "P1Y"}) {
      InvalidInput refused = assertThrows(InvalidInput.class, () -> ScheduleInterval.fromIso(bad, "schedule.interval"));
      assertEquals("schedule.interval", refused.target(), bad);
      assertEquals("InvalidDuration", refused.code());
    }
  }
}
