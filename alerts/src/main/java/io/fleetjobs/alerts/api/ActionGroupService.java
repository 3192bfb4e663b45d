package io.fleetjobs.alerts.api;

import io.fleetjobs.alerts.groups.ActionGroup;
import io.fleetjobs.alerts.groups.Receiver;
import io.fleetjobs.alerts.notify.AlertNotice;
import io.fleetjobs.alerts.notify.NotificationDelivery;
import io.fleetjobs.alerts.notify.NotificationFactory;
import io.fleetjobs.alerts.notify.RefusedDestination;
import io.fleetjobs.alerts.notify.SsrfGuard;
import io.fleetjobs.alerts.rules.AlertMetric;
import io.fleetjobs.alerts.rules.ComparisonOperator;
import io.fleetjobs.alerts.rules.Criterion;
import io.fleetjobs.alerts.rules.CriterionValue;
import io.fleetjobs.alerts.rules.InstanceKey;
import io.fleetjobs.alerts.rules.TimeAggregation;
import io.fleetjobs.alerts.store.ActionGroupRepository;
import io.fleetjobs.alerts.store.NewNotification;
import io.fleetjobs.alerts.store.OutboxRepository;
import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Action groups beyond plain storage: a webhook's destination passes the SSRF guard before it is saved,
 * and a test goes through the real outbox and delivery path, one attempt per receiver.
 */
public final class ActionGroupService {
  private static final Duration TEST_LEASE = Duration.ofSeconds(60);
  private final Vertx vertx;
  private final Pool pool;
  private final ActionGroupRepository groups;
  private final OutboxRepository outbox;
  private final NotificationFactory notifications;
  private final NotificationDelivery delivery;
  private final SsrfGuard guard;
  private final Clock clock;
  private final String agent;

  /** The pieces a test send shares with real delivery. */
  public record Delivery(OutboxRepository outbox, NotificationFactory notifications, NotificationDelivery delivery,
                         SsrfGuard guard) {
  }

  public ActionGroupService(Vertx vertx, Pool pool, ActionGroupRepository groups, Delivery delivery, Clock clock,
                            String agent) {
    this.vertx = vertx;
    this.pool = pool;
    this.groups = groups;
    this.outbox = delivery.outbox();
    this.notifications = delivery.notifications();
    this.delivery = delivery.delivery();
    this.guard = delivery.guard();
    this.clock = clock;
    this.agent = agent;
  }

  /**
   * Refuses an internal destination with the receiver's field named, then saves. Webhooks, Slack and Teams
   * receivers pass the same guard; a chat receiver that keeps its stored URL was checked when it was given.
   */
  public Future<ActionGroupRepository.Saved> save(ActionGroup group) {
    List<Future<?>> checks = new ArrayList<>();
    for (Receiver.Kind kind : List.of(Receiver.Kind.webhook, Receiver.Kind.slack, Receiver.Kind.teams)) {
      List<Receiver> receivers = group.ofKind(kind);
      for (int i = 0; i < receivers.size(); i++) {
        if (receivers.get(i).address() != null) {
          String field = kind.field() + "[" + i + "]." + (kind.isChat() ? "webhookUrl" : "serviceUri");
          checks.add(guard.resolve(vertx, URI.create(receivers.get(i).address()))
            .recover(e -> Future.failedFuture(new InvalidInput(field, e instanceof RefusedDestination
              ? e.getMessage()
              : "The destination cannot be checked: " + e.getMessage()))));
        }
      }
    }
    return Future.all(checks).compose(ok -> groups.save(group));
  }

  /**
   * Sends a notification marked as a test to every receiver and reports each one's first attempt. The rows are
   * claimed in the transaction that inserts them: claimed after it, a row could go to the outbox's own poll first
   * and be missing from the results.
   */
  public Future<JsonObject> test(String groupName) {
    Instant now = clock.instant();
    return groups.get(groupName)
      .compose(found -> pool.withTransaction(conn -> groups.receivers(conn, List.of(groupName))
        .compose(receivers -> {
          List<NewNotification> rows = notifications.forNotice(testNotice(now), receivers, List.of(), now, 1);
          return outbox.insert(conn, rows)
            .compose(inserted -> outbox.claimInserted(conn, agent, TEST_LEASE,
              rows.stream().map(NewNotification::id).toList()));
        })))
      .compose(claimed -> {
        List<Future<JsonObject>> attempts = new ArrayList<>();
        for (var row : claimed) {
          attempts.add(delivery.deliver(row).map(result -> result
            .put("notificationId", row.id().toString())
            .put("receiver", row.receiverName())
            .put("kind", row.kind().name())
            .put("address", row.address())));
        }
        return Future.all(attempts).map(all -> {
          JsonArray results = new JsonArray();
          attempts.forEach(attempt -> results.add(attempt.result()));
          return new JsonObject().put("actionGroup", groupName).put("test", true).put("results", results);
        });
      });
  }

  private static AlertNotice testNotice(Instant now) {
    Criterion criterion = new Criterion("Test", AlertMetric.FAILED, List.of(), TimeAggregation.Total,
      ComparisonOperator.GreaterThan, 0);
    return new AlertNotice(UUID.randomUUID(), "Test notification",
      "A test notification from fleetjobs: no alert fired.", 4, AlertNotice.FIRED, now, null, Duration.ofMinutes(5),
      now, InstanceKey.NONE, List.of(new CriterionValue(criterion, 1, true)), List.of(), 1, true);
  }
}
