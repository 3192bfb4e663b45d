package io.fleetjobs.server.jobs;

import io.fleetjobs.common.errors.InvalidInput;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recurrence in the T-SQL form (interval type and count), convertible to and from the ISO-8601 duration
 * of the REST form: PT15M is Minutes 15, P1D is Days 1, P2W is Weeks 2, P1M is Months 1.
 */
public record ScheduleInterval(String intervalType, int intervalCount) {
  public static final ScheduleInterval ONCE = new ScheduleInterval("Once", 1);
  public static final String CRON = "Cron";
  private static final Pattern MONTHS_OR_WEEKS = Pattern.compile("P(\\d{1,9})([MW])");
  private static final long MINUTES_PER_DAY = 1440;

  /** Every interval type but Once repeats; Cron repeats by its expression rather than by a count. */
  public boolean recurring() {
    return !intervalType.equals("Once");
  }

  /** The same recurrence in its largest whole unit: Minutes 60 is Hours 1, as PT60M parses. */
  public ScheduleInterval normalized() {
    return switch (intervalType) {
      case "Minutes", "Hours", "Days" -> fromIso(toIso(), "scheduleIntervalCount");
      default -> this;
    };
  }

  /** @param field names the input in errors */
  public static ScheduleInterval fromIso(String iso, String field) {
    Matcher monthsOrWeeks = MONTHS_OR_WEEKS.matcher(iso);
    if (monthsOrWeeks.matches()) {
      return checked(monthsOrWeeks.group(2).equals("M") ? "Months" : "Weeks",
        Long.parseLong(monthsOrWeeks.group(1)), field);
    }
    Duration duration;
    try {
      duration = Duration.parse(iso);
    } catch (DateTimeParseException e) {
      throw new InvalidInput("InvalidDuration", field,
        "'" + iso + "' is not an ISO-8601 duration such as PT15M, PT1H, P1D, P1W or P1M.");
    }
    if (duration.isNegative() || duration.isZero() || duration.toSecondsPart() != 0 || duration.toNanosPart() != 0) {
      throw new InvalidInput("InvalidDuration", field, "The interval must be a positive whole number of minutes.");
    }
    long minutes = duration.toMinutes();
    if (minutes % MINUTES_PER_DAY == 0) {
      return checked("Days", minutes / MINUTES_PER_DAY, field);
    }
    return minutes % 60 == 0 ? checked("Hours", minutes / 60, field) : checked("Minutes", minutes, field);
  }

  /** @return the ISO-8601 duration, or null for Once */
  public String toIso() {
    return switch (intervalType) {
      case "Minutes" -> "PT" + intervalCount + "M";
      case "Hours" -> "PT" + intervalCount + "H";
      case "Days" -> "P" + intervalCount + "D";
      case "Weeks" -> "P" + intervalCount + "W";
      case "Months" -> "P" + intervalCount + "M";
      default -> null;
    };
  }

  private static ScheduleInterval checked(String type, long count, String field) {
    if (count < 1 || count > Integer.MAX_VALUE) {
      throw new InvalidInput("InvalidDuration", field, "The interval count must be between 1 and " + Integer.MAX_VALUE + ".");
    }
    return new ScheduleInterval(type, (int) count);
  }
}
