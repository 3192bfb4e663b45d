package io.fleetjobs.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
  private final RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 2.0);

  @Test
  void the_first_retry_waits_the_initial_interval() {
    assertEquals(Duration.ofSeconds(1), backoff.delayAfter(1));
  }

  @Test
  void each_later_retry_waits_multiplier_times_longer() {
    assertEquals(Duration.ofSeconds(2), backoff.delayAfter(2));
    assertEquals(Duration.ofSeconds(4), backoff.delayAfter(3));
    assertEquals(Duration.ofSeconds(8), backoff.delayAfter(4));
  }

  @Test
  void no_wait_exceeds_the_maximum_however_many_attempts_failed() {
    assertEquals(Duration.ofSeconds(10), backoff.delayAfter(5));
    assertEquals(Duration.ofSeconds(10), backoff.delayAfter(1000));
  }

  @Test
  void fractional_multipliers_keep_their_milliseconds() {
    RetryBackoff gentle = new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(120), 1.5);
    assertEquals(Duration.ofMillis(2250), gentle.delayAfter(3));
  }

  @Test
  void the_next_attempt_counts_from_the_failure() {
    Instant failedAt = Instant.parse("2026-11-01T12:00:00Z");
    assertEquals(failedAt.plusSeconds(4), backoff.nextAttempt(failedAt, 3));
  }

  @Test
  void the_elastic_jobs_default_starts_at_one_second_and_stops_at_two_minutes() {
    assertEquals(Duration.ofSeconds(1), RetryBackoff.ELASTIC_JOBS_DEFAULT.delayAfter(1));
    assertEquals(Duration.ofSeconds(120), RetryBackoff.ELASTIC_JOBS_DEFAULT.delayAfter(50));
  }
}
