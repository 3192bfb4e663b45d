package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.groups.Receiver;
import io.fleetjobs.alerts.store.ActionGroupRepository;
import io.fleetjobs.alerts.store.AttemptRecord;
import io.fleetjobs.alerts.store.ClaimedNotification;
import io.fleetjobs.alerts.store.OutboxRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one attempt at one claimed notification and records it: delivered, due again after a backoff
 * (or the receiver's Retry-After), dead-lettered after the last attempt, or its receiver disabled on
 * 410. Each row is attempted on its own, so one failing receiver holds up nobody else.
 */
public final class NotificationDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationDelivery.class);
  private final OutboxRepository outbox;
  private final ActionGroupRepository groups;
  private final WebhookNotifier webhooks;
  private final EmailNotifier mail;
  private final RetryPolicy retryPolicy;
  private final Clock clock;
  private final String agent;
  private final DeliveryMetrics metrics;
  private final RandomGenerator random = RandomGenerator.getDefault();

  /** The two ways out of the agent, and how often they are tried. */
  public record Channels(WebhookNotifier webhooks, EmailNotifier mail, RetryPolicy retryPolicy) {
  }

  public NotificationDelivery(OutboxRepository outbox, ActionGroupRepository groups, Channels channels, Clock clock,
                              String agent, DeliveryMetrics metrics) {
    this.outbox = outbox;
    this.groups = groups;
    this.webhooks = channels.webhooks();
    this.mail = channels.mail();
    this.retryPolicy = channels.retryPolicy();
    this.clock = clock;
    this.agent = agent;
    this.metrics = metrics;
  }

  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /** @return the attempt as the delivery log shows it */
  public Future<JsonObject> deliver(ClaimedNotification notification) {
    Instant started = clock.instant();
    long startNanos = System.nanoTime();
    return attempt(notification)
      .compose(result -> {
        long latencyMs = (System.nanoTime() - startNanos) / 1_000_000;
        AttemptRecord record = record(notification, result, started, latencyMs);
        Future<Void> disabled = result.verdict() == AttemptResult.Verdict.DISABLE_RECEIVER
          ? groups.disable(notification.groupName(), notification.receiverName(), result.error())
          : Future.succeededFuture();
        return disabled
          .compose(done -> outbox.record(notification, record, agent))
          .map(sinceWritten -> {
            metrics.attempted(notification, record, sinceWritten);
            if (sinceWritten.isEmpty()) {
              LOG.warn("Notification {} to receiver {} lost its lease during the attempt; the result is dropped",
                notification.id(), notification.receiverName());
            }
            return new JsonObject()
              .put("status", record.status())
              .put("outcome", record.outcome())
              .put("latencyMs", latencyMs)
              .put("responseCode", record.responseCode())
              .put("error", record.error());
          });
      });
  }

  private Future<AttemptResult> attempt(ClaimedNotification notification) {
    if (notification.kind() == Receiver.Kind.email) {
      return mail.send(notification);
    }
    if (notification.kind().isChat()) {
      return groups.chatUrl(notification.groupName(), notification.receiverName(), notification.kind())
        .compose(url -> webhooks.sendTo(url, notification),
          gone -> Future.succeededFuture(new AttemptResult(AttemptResult.Verdict.FAIL, null, gone.getMessage(), null)));
    }
    return groups.webhookSecret(notification.groupName(), notification.receiverName())
      .compose(secret -> webhooks.send(notification, secret),
        gone -> Future.succeededFuture(new AttemptResult(AttemptResult.Verdict.FAIL, null, gone.getMessage(), null)));
  }

  private AttemptRecord record(ClaimedNotification notification, AttemptResult result, Instant started,
                               long latencyMs) {
    int attemptsMade = notification.attempts() + 1;
    return switch (result.verdict()) {
      case DELIVERED -> new AttemptRecord(started, latencyMs, "Delivered", result.responseCode(), null, "Delivered",
        null);
      case DISABLE_RECEIVER -> new AttemptRecord(started, latencyMs, "ReceiverDisabled", result.responseCode(),
        result.error(), "ReceiverDisabled", null);
      case FAIL, REFUSED -> new AttemptRecord(started, latencyMs, result.verdict() == AttemptResult.Verdict.FAIL
        ? "Failed" : "Refused", result.responseCode(), result.error(), "DeadLettered", null);
      case RETRY -> {
        Optional<Duration> delay = attemptsMade >= notification.maxAttempts()
          ? Optional.empty()
          : retryPolicy.nextDelay(attemptsMade, result.retryAfter(), random);
        yield delay
          .map(d -> new AttemptRecord(started, latencyMs, "Retry", result.responseCode(), result.error(), "Pending",
            clock.instant().plus(d)))
          .orElseGet(() -> new AttemptRecord(started, latencyMs, "Failed", result.responseCode(), result.error(),
            "DeadLettered", null));
      }
    };
  }
}
