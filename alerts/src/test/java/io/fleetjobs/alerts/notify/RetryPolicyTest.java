package io.fleetjobs.alerts.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RetryPolicyTest {
  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

  @Test
  void the_standard_schedule_allows_ten_attempts() {
    RetryPolicy standard = RetryPolicy.standard();

    assertEquals(10, standard.maxAttempts());
    assertEquals(Duration.ofSeconds(5), standard.delays().get(0));
    assertEquals(Duration.ofHours(24), standard.delays().get(8));
    assertEquals(0.2, standard.jitter());
  }

  @Test
  void delays_follow_the_schedule_without_jitter() {
    RetryPolicy policy = new RetryPolicy(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5)), 0);

    assertEquals(Optional.of(Duration.ofSeconds(5)), policy.nextDelay(1, null, new Random(1)));
    assertEquals(Optional.of(Duration.ofMinutes(5)), policy.nextDelay(2, null, new Random(1)));
  }

  @Test
  void no_delay_once_every_attempt_is_used() {
    RetryPolicy policy = RetryPolicy.standard();

    assertEquals(Optional.empty(), policy.nextDelay(10, null, new Random(1)));
    assertEquals(Optional.empty(), policy.nextDelay(11, Duration.ofSeconds(1), new Random(1)));
  }

  @Test
  void an_empty_schedule_means_a_single_attempt() {
    RetryPolicy once = new RetryPolicy(List.of(), 0);

    assertEquals(1, once.maxAttempts());
    assertEquals(Optional.empty(), once.nextDelay(1, null, new Random(1)));
  }

  @Test
  void jitter_stays_within_its_bounds_and_varies() {
    RetryPolicy policy = RetryPolicy.standard();
    RandomGenerator random = new Random(42);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 1000; i++) {
      long millis = policy.nextDelay(2, null, random).orElseThrow().toMillis();
      min = Math.min(min, millis);
      max = Math.max(max, millis);
    }

    assertTrue(min >= 240_000, "min " + min);
    assertTrue(max <= 360_000, "max " + max);
    assertTrue(max - min > 60_000, "spread " + (max - min));
  }

  @Test
  void retry_after_is_used_as_is_without_jitter() {
    RetryPolicy policy = RetryPolicy.standard();

    assertEquals(Optional.of(Duration.ofSeconds(90)), policy.nextDelay(1, Duration.ofSeconds(90), new Random(7)));
  }

  @Test
  void retry_after_is_clamped_to_zero_and_a_day() {
    RetryPolicy policy = RetryPolicy.standard();

    assertEquals(Optional.of(Duration.ZERO), policy.nextDelay(1, Duration.ofSeconds(-5), new Random(7)));
    assertEquals(Optional.of(Duration.ofHours(24)), policy.nextDelay(1, Duration.ofDays(3), new Random(7)));
  }

  @Test
  void attempts_made_must_be_at_least_one() {
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.standard().nextDelay(0, null, new Random(1)));
  }

  @Test
  void negative_delays_and_out_of_range_jitter_are_rejected() {
    List<Duration> delays = List.of(Duration.ofSeconds(1));

    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(List.of(Duration.ofSeconds(-1)), 0));
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(delays, -0.1));
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(delays, 1));
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(delays, Double.NaN));
  }

  @Test
  void retry_after_reads_delta_seconds() {
    assertEquals(Duration.ofSeconds(120), RetryPolicy.parseRetryAfter("120", NOW));
    assertEquals(Duration.ZERO, RetryPolicy.parseRetryAfter(" 0 ", NOW));
  }

  @Test
  void retry_after_reads_an_http_date() {
    assertEquals(Duration.ofMinutes(5), RetryPolicy.parseRetryAfter("Sat, 1 Mar 2025 12:05:00 GMT", NOW));
  }

  @Test
  void a_retry_after_date_in_the_past_means_now() {
    assertEquals(Duration.ZERO, RetryPolicy.parseRetryAfter("Sat, 1 Mar 2025 11:00:00 GMT", NOW));
  }

  @Test
  void a_missing_or_unreadable_retry_after_is_null() {
    assertNull(RetryPolicy.parseRetryAfter(null, NOW));
    assertNull(RetryPolicy.parseRetryAfter("", NOW));
    assertNull(RetryPolicy.parseRetryAfter("soon", NOW));
    assertNull(RetryPolicy.parseRetryAfter("-5", NOW));
    assertNull(RetryPolicy.parseRetryAfter("1.5", NOW));
  }
}
