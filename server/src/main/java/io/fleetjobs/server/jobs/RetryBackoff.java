package io.fleetjobs.server.jobs;

import java.time.Duration;
import java.time.Instant;

/**
 * When a failed attempt runs again: the Elastic Jobs backoff. The first retry waits {@code initial}, each
 * later one {@code multiplier} times longer, never more than {@code maximum}. The job database stores the
 * time this computes, so every agent retries the target at the same moment whoever recorded the failure.
 */
public record RetryBackoff(Duration initial, Duration maximum, double multiplier) {
  /** The defaults of sp_add_jobstep: 1 s, at most 120 s, doubling. */
  public static final RetryBackoff ELASTIC_JOBS_DEFAULT = new RetryBackoff(Duration.ofSeconds(1),
    Duration.ofSeconds(120), 2.0);

  public static RetryBackoff of(JobStep.ExecutionOptions options) {
    return new RetryBackoff(Duration.ofSeconds(options.initialRetryIntervalSeconds()),
      Duration.ofSeconds(options.maximumRetryIntervalSeconds()), options.retryIntervalBackoffMultiplier());
  }

  /** @param attemptsMade how many attempts have run, the failed one included (1 after the first) */
  public Duration delayAfter(int attemptsMade) {
    double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, attemptsMade - 1));
    return millis >= maximum.toMillis() ? maximum : Duration.ofMillis(Math.round(millis));
  }

  public Instant nextAttempt(Instant failedAt, int attemptsMade) {
    return failedAt.plus(delayAfter(attemptsMade));
  }
}
