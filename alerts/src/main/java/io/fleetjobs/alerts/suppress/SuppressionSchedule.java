package io.fleetjobs.alerts.suppress;

import io.fleetjobs.alerts.json.JsonFields;
import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * When a processing rule is active, in the local time of {@code timeZone}. Without recurrences it is one window
 * from {@code effectiveFrom} to {@code effectiveUntil}; with them, the recurrences' windows that fall between those
 * bounds, either of which may be null for no bound. Every window includes its start and excludes its end.
 */
public record SuppressionSchedule(LocalDateTime effectiveFrom, LocalDateTime effectiveUntil, ZoneId timeZone,
  List<Recurrence> recurrences) {
  static final ZoneId UTC = ZoneId.of("UTC");
  static final int MAX_RECURRENCES = 20;

  /**
   * Recurrences repeat by the week in local time, and daylight-saving changes come round once a year, so windows
   * that have run on without a break for longer than this never close.
   */
  private static final Duration UNBROKEN_FOR_EVER = Duration.ofDays(400);

  public SuppressionSchedule {
    timeZone = timeZone == null ? UTC : timeZone;
    recurrences = recurrences == null ? List.of() : List.copyOf(recurrences);
  }

  /**
   * Whether the schedule is active at {@code at}, and if so until when. Windows that overlap or touch count as one,
   * so the answer is the end of the whole unbroken stretch, cut at {@code effectiveUntil}. When that stretch never
   * ends the answer is {@link Instant#MAX}, which has no epoch milliseconds and no date in any zone.
   */
  public Optional<Instant> activeUntil(Instant at) {
    Instant from = instant(effectiveFrom, Instant.MIN);
    Instant until = instant(effectiveUntil, Instant.MAX);
    if (at.isBefore(from) || !at.isBefore(until)) {
      return Optional.empty();
    }
    if (recurrences.isEmpty()) {
      return Optional.of(until);
    }
    Optional<Instant> first = latestEndOfWindowsAt(at, from, until);
    if (first.isEmpty()) {
      return Optional.empty();
    }
    Instant end = first.get();
    Instant forEver = at.plus(UNBROKEN_FOR_EVER);
    // A window that holds the current end overlaps or touches the stretch, which therefore goes on to its end.
    Optional<Instant> further = latestEndOfWindowsAt(end, from, until);
    while (further.isPresent()) {
      end = further.get();
      if (end.isAfter(forEver)) {
        return Optional.of(until);
      }
      further = latestEndOfWindowsAt(end, from, until);
    }
    return Optional.of(end);
  }

  private Optional<Instant> latestEndOfWindowsAt(Instant at, Instant from, Instant until) {
    LocalDate day = at
      .atZone(timeZone)
      .toLocalDate();
    // A window lasts at most a day, so one that holds `at` started on its day or the day before; the day before
    // that is looked at too in case a daylight-saving gap pushed an end past midnight.
    return Stream
      .of(day.minusDays(2), day.minusDays(1), day)
      .flatMap(start -> recurrences
        .stream()
        .flatMap(recurrence -> recurrence
          .windowStartingOn(start, timeZone)
          .stream()))
      .map(window -> window.within(from, until))
      .filter(window -> window.contains(at))
      .map(Window::end)
      .max(Instant::compareTo);
  }

  private Instant instant(LocalDateTime local, Instant unbounded) {
    return local == null ? unbounded : ZonedDateTime.of(local, timeZone).toInstant();
  }

  static SuppressionSchedule fromJson(JsonFields json) {
    Optional<LocalDateTime> from = json.dateTime("effectiveFrom");
    Optional<LocalDateTime> until = json.dateTime("effectiveUntil");
    ZoneId zone = json
      .string("timeZone", 64)
      .map(id -> zone(id, json.path("timeZone")))
      .orElse(UTC);
    List<Recurrence> recurrences = json.objects("recurrences", MAX_RECURRENCES, Recurrence::fromJson);
    if (recurrences.isEmpty()) {
      requireForOneOff(from, json.path("effectiveFrom"));
      requireForOneOff(until, json.path("effectiveUntil"));
    }
    SuppressionSchedule schedule = new SuppressionSchedule(from.orElse(null), until.orElse(null), zone, recurrences);
    // Compared as instants, so that a bound moved forward out of a daylight-saving gap is caught as well.
    if (from.isPresent() && until.isPresent()
      && !schedule.instant(until.get(), null).isAfter(schedule.instant(from.get(), null))) {
      throw new InvalidInput(json.path("effectiveUntil"), json.path("effectiveUntil") + " is " + until.get()
        + ", but must be after effectiveFrom " + from.get());
    }
    return schedule;
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (effectiveFrom != null) {
      json.put("effectiveFrom", JsonFields.DATE_TIME.format(effectiveFrom));
    }
    if (effectiveUntil != null) {
      json.put("effectiveUntil", JsonFields.DATE_TIME.format(effectiveUntil));
    }
    return json
      .put("timeZone", timeZone.getId())
      .put("recurrences", recurrences
        .stream()
        .map(Recurrence::toJson)
        .collect(JsonArray::new, JsonArray::add, JsonArray::addAll));
  }

  private static ZoneId zone(String id, String target) {
    try {
      return ZoneId.of(id);
    } catch (DateTimeException e) {
      throw new InvalidInput(target, target + " is " + id + ", but must be an IANA time zone like Europe/Berlin");
    }
  }

  private static void requireForOneOff(Optional<LocalDateTime> bound, String target) {
    if (bound.isEmpty()) {
      throw new InvalidInput(target, target + " is required when there are no recurrences: a one-off window"
        + " needs both effectiveFrom and effectiveUntil");
    }
  }
}
