package io.fleetjobs.alerts.suppress;

import io.fleetjobs.alerts.json.JsonFields;
import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A window that repeats every day, or on some days of the week, in the schedule's time zone. When
 * {@code endTime} is not after {@code startTime} the window crosses midnight and ends the next day; it belongs to
 * the day it starts. A null {@code startTime} is the start of the day and a null {@code endTime} its end, so
 * leaving out both gives the whole day; both read back as 00:00:00.
 */
public record Recurrence(RecurrenceType recurrenceType, Set<DayOfWeek> daysOfWeek, LocalTime startTime,
  LocalTime endTime) {

  public Recurrence {
    Objects.requireNonNull(recurrenceType, "recurrenceType");
    daysOfWeek = daysOfWeek == null || daysOfWeek.isEmpty()
      ? Set.of()
      : Collections.unmodifiableSet(EnumSet.copyOf(daysOfWeek));
    if ((recurrenceType == RecurrenceType.Weekly) == daysOfWeek.isEmpty()) {
      throw new IllegalArgumentException("Weekly recurrences, and only they, have days of the week");
    }
    startTime = startTime == null ? LocalTime.MIDNIGHT : startTime;
    endTime = endTime == null ? LocalTime.MIDNIGHT : endTime;
  }

  /**
   * The window this recurrence opens on {@code date}, if any. Local times that a daylight-saving change skips are
   * moved forward and repeated ones take the earlier offset, as {@link ZonedDateTime#of} does.
   */
  Optional<Window> windowStartingOn(LocalDate date, ZoneId zone) {
    if (recurrenceType == RecurrenceType.Weekly && !daysOfWeek.contains(date.getDayOfWeek())) {
      return Optional.empty();
    }
    LocalDate endDate = endTime.isAfter(startTime) ? date : date.plusDays(1);
    return Optional.of(new Window(
      ZonedDateTime.of(date, startTime, zone).toInstant(),
      ZonedDateTime.of(endDate, endTime, zone).toInstant()));
  }

  static Recurrence fromJson(JsonFields json) {
    if (json.requiredString("recurrenceType", 64).equalsIgnoreCase("Monthly")) {
      throw json.invalid("recurrenceType", "Monthly is not supported: only Daily and Weekly are");
    }
    RecurrenceType type = json.enumValue("recurrenceType", RecurrenceType.class, null);
    List<String> dayNames = json.strings("daysOfWeek", DayOfWeek.values().length, 16);
    String daysTarget = json.path("daysOfWeek");
    if (type == RecurrenceType.Weekly && dayNames.isEmpty()) {
      throw new InvalidInput(daysTarget, daysTarget + " is required for a Weekly recurrence");
    }
    if (type == RecurrenceType.Daily && !dayNames.isEmpty()) {
      throw new InvalidInput(daysTarget, daysTarget + " applies only to a Weekly recurrence");
    }
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    for (int i = 0; i < dayNames.size(); i++) {
      String target = json.path("daysOfWeek", i);
      String dayName = dayNames.get(i);
      days.add(day(dayName).orElseThrow(() -> new InvalidInput(target,
        target + " is " + dayName + ", but must be a day name from Monday to Sunday")));
    }
    return new Recurrence(type, days, json.time("startTime").orElse(null), json.time("endTime").orElse(null));
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("recurrenceType", recurrenceType.name());
    if (!daysOfWeek.isEmpty()) {
      json.put("daysOfWeek", daysOfWeek
        .stream()
        .map(Recurrence::name)
        .collect(JsonArray::new, JsonArray::add, JsonArray::addAll));
    }
    return json
      .put("startTime", JsonFields.TIME.format(startTime))
      .put("endTime", JsonFields.TIME.format(endTime));
  }

  private static Optional<DayOfWeek> day(String name) {
    return Arrays
      .stream(DayOfWeek.values())
      .filter(day -> name(day).equals(name))
      .findFirst();
  }

  private static String name(DayOfWeek day) {
    return day.getDisplayName(TextStyle.FULL, Locale.ENGLISH);
  }
}
