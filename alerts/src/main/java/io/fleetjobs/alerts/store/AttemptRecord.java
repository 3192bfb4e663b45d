package io.fleetjobs.alerts.store;

import java.time.Instant;

/**
 * One delivery attempt as the log keeps it, and what it leaves the row as.
 *
 * @param outcome       Delivered, Retry, Failed, ReceiverDisabled or Refused
 * @param status        the row's next status: Pending (retry), Delivered, DeadLettered or ReceiverDisabled
 * @param nextAttemptAt when a retry is due; null otherwise
 */
public record AttemptRecord(
  Instant startedAt,
  long latencyMs,
  String outcome,
  Integer responseCode,
  String error,
  String status,
  Instant nextAttemptAt) {
}
