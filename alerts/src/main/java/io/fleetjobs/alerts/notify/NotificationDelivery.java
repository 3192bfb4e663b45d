package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.groups.Receiver;
import io.fleetjobs.alerts.store.ActionGroupRepository;
import io.fleetjobs.alerts.store.AttemptRecord;
import io.fleetjobs.alerts.store.ClaimedNotification;
import io.fleetjobs.alerts.store.FinishedAttempt;
import io.fleetjobs.alerts.store.OutboxRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one attempt at each claimed notification and decides what it leaves the row as: delivered, due again
 * after a backoff (or the receiver's Retry-After), dead-lettered after the last attempt, or its receiver disabled
 * on 410. Each row is attempted on its own, so one failing receiver holds up nobody else; the results are recorded
 * by the caller, in batches.
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

  /** Whose secret: a webhook's signing secret or a chat receiver's URL. */
  private record SecretKey(Receiver.Kind kind, String group, String receiver) {
  }

  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /**
   * Attempts each row, and reads each receiver's secret (or chat URL) once for the whole batch rather than once
   * per row: a burst of alerts often goes to one receiver.
   *
   * @return each row's attempt, in the order of {@code rows}, to be recorded with {@link OutboxRepository#record}
   */
  public List<Future<FinishedAttempt>> attempt(List<ClaimedNotification> rows) {
    Map<SecretKey, Future<String>> secrets = new HashMap<>();
    return rows.stream()
      .map(row -> attempt(row, secrets))
      .toList();
  }

  /** Attempts one row and records it at once: for a test send, which reports its own attempts. */
  public Future<JsonObject> deliver(ClaimedNotification notification) {
    return attempt(List.of(notification)).get(0)
      .compose(finished -> outbox.record(List.of(finished), agent)
        .map(ages -> recorded(finished, Optional.ofNullable(ages.get(notification.id())))));
  }

  /**
   * What a recorded attempt counts for: the meters, a warning when the claim was lost meanwhile, and the attempt
   * as the delivery log shows it.
   *
   * @param sinceWritten how long ago the row was written; empty when its claim was lost before the record
   */
  public JsonObject recorded(FinishedAttempt finished, Optional<Duration> sinceWritten) {
    ClaimedNotification notification = finished.row();
    AttemptRecord record = finished.attempt();
    metrics.attempted(notification, record, sinceWritten);
    if (sinceWritten.isEmpty()) {
      LOG.warn("Notification {} to receiver {} lost its lease during the attempt; the result is dropped",
        notification.id(), notification.receiverName());
    }
    return new JsonObject()
      .put("status", record.status())
      .put("outcome", record.outcome())
      .put("latencyMs", record.latencyMs())
      .put("responseCode", record.responseCode())
      .put("error", record.error());
  }

  private Future<FinishedAttempt> attempt(ClaimedNotification notification, Map<SecretKey, Future<String>> secrets) {
    Instant started = clock.instant();
    long startNanos = System.nanoTime();
    return send(notification, secrets)
      .compose(result -> {
        long latencyMs = (System.nanoTime() - startNanos) / 1_000_000;
        FinishedAttempt finished = new FinishedAttempt(notification, record(notification, result, started,
          latencyMs));
        return result.verdict() == AttemptResult.Verdict.DISABLE_RECEIVER
          ? groups.disable(notification.groupName(), notification.receiverName(), result.error()).map(finished)
          : Future.succeededFuture(finished);
      });
  }

  private Future<AttemptResult> send(ClaimedNotification notification, Map<SecretKey, Future<String>> secrets) {
    if (notification.kind() == Receiver.Kind.email) {
      return mail.send(notification);
    }
    SecretKey key = new SecretKey(notification.kind(), notification.groupName(), notification.receiverName());
    if (notification.kind().isChat()) {
      return secrets.computeIfAbsent(key, k -> groups.chatUrl(k.group(), k.receiver(), k.kind()))
        .compose(url -> webhooks.sendTo(url, notification),
          gone -> Future.succeededFuture(new AttemptResult(AttemptResult.Verdict.FAIL, null, gone.getMessage(), null)));
    }
    return secrets.computeIfAbsent(key, k -> groups.webhookSecret(k.group(), k.receiver()))
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
