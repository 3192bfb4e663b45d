package io.fleetjobs.alerts.notify;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try a webhook delivery again. {@code delays.get(n)} is the wait after attempt {@code n + 1}, so
 * a policy allows {@code delays.size() + 1} attempts. Jitter spreads retries out so that receivers coming
 * back from an outage are not hit by every queued delivery at once; a receiver's own Retry-After is
 * honoured exactly, since it said when it can take the load. The random source is a parameter so tests
 * can pin it.
 */
public record RetryPolicy(List<Duration> delays, double jitter) {
  private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

  public RetryPolicy {
    delays = List.copyOf(delays);
    if (delays.stream().anyMatch(Duration::isNegative)) {
      throw new IllegalArgumentException("retry delays cannot be negative: " + delays);
    }
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("jitter must be in [0, 1), not " + jitter);
    }
  }

  /** The Standard Webhooks schedule: ten attempts spread over about three days. */
  public static RetryPolicy standard() {
    return new RetryPolicy(List.of(
        Duration.ofSeconds(5),
        Duration.ofMinutes(5),
        Duration.ofMinutes(30),
        Duration.ofHours(2),
        Duration.ofHours(5),
        Duration.ofHours(10),
        Duration.ofHours(14),
        Duration.ofHours(20),
        Duration.ofHours(24)), 0.2);
  }

  public int maxAttempts() {
    return delays.size() + 1;
  }

  /**
   * The wait before the next attempt after {@code attemptsMade} attempts (at least one), or empty when the
   * delivery has used them all. {@code retryAfter} is the receiver's parsed Retry-After, or null.
   */
  public Optional<Duration> nextDelay(int attemptsMade, Duration retryAfter, RandomGenerator random) {
    if (attemptsMade < 1) {
      throw new IllegalArgumentException("attemptsMade must be at least 1, not " + attemptsMade);
    }
    if (attemptsMade >= maxAttempts()) {
      return Optional.empty();
    }
    if (retryAfter != null) {
      return Optional.of(clamp(retryAfter));
    }
    Duration delay = delays.get(attemptsMade - 1);
    if (jitter == 0) {
      return Optional.of(delay);
    }
    double factor = random.nextDouble(1 - jitter, 1 + jitter);
    return Optional.of(Duration.ofMillis(Math.round(delay.toMillis() * factor)));
  }

  /**
   * Reads a Retry-After header: delta-seconds or an RFC 1123 HTTP-date. Returns null when absent or
   * unreadable, so the caller falls back to the schedule; a date in the past means retry now.
   */
  public static Duration parseRetryAfter(String header, Instant now) {
    if (header == null) {
      return null;
    }
    String value = header.trim();
    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return Duration.ofSeconds(Long.parseLong(value));
      } catch (NumberFormatException tooLong) {
        // Still a valid delta-seconds, just beyond a long; nextDelay clamps it anyway.
        return MAX_RETRY_AFTER;
      }
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(now, at);
      return wait.isNegative() ? Duration.ZERO : wait;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Duration clamp(Duration retryAfter) {
    if (retryAfter.isNegative()) {
      return Duration.ZERO;
    }
    return retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
  }
}
