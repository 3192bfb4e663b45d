package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.store.AttemptRecord;
import io.fleetjobs.alerts.store.ClaimedNotification;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The delivery meters, in the registry the server hands in: the outbox's depth, attempts by outcome, and how long
 * a notification took from its alert's transition to its receiver's acceptance (a 2xx, or the SMTP server's).
 * Test sends count as attempts but not in the latency: no transition started them.
 */
public final class DeliveryMetrics {
  /** From an answer within the second to one after the Standard Webhooks schedule's last retry, a day on. */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
    Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(6),
    Duration.ofHours(24)};
  private static final String DELIVERED = "Delivered";

  private final MeterRegistry registry;
  private final AtomicLong outboxDepth = new AtomicLong();

  public DeliveryMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("fleetjobs_alert_outbox_depth", outboxDepth, AtomicLong::get)
      .description("Notifications waiting in the outbox or being delivered, by every agent")
      .register(registry);
  }

  /** @param sinceWritten the row's age when its attempt was recorded; empty when the claim was lost meanwhile */
  public void attempted(ClaimedNotification row, AttemptRecord attempt, Optional<Duration> sinceWritten) {
    Counter.builder("fleetjobs_alert_deliveries")
      .description("Notification delivery attempts by receiver kind and outcome "
        + "(Delivered, Retry, Failed, Refused, ReceiverDisabled)")
      .tag("kind", row.kind().name())
      .tag("outcome", attempt.outcome())
      .register(registry)
      .increment();
    if (DELIVERED.equals(attempt.outcome()) && !row.test()) {
      sinceWritten.ifPresent(latency -> Timer.builder("fleetjobs_alert_delivery_latency")
        .description("From an alert rule's transition to the receiver accepting its notification, retries included")
        .tag("kind", row.kind().name())
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry)
        .record(latency));
    }
  }

  public void outboxDepth(long depth) {
    outboxDepth.set(depth);
  }
}
