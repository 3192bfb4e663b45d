package io.fleetjobs.alerts.api;

import io.fleetjobs.alerts.AlertsAddresses;
import io.fleetjobs.alerts.notify.ExecutionNotice;
import io.fleetjobs.alerts.notify.NotificationFactory;
import io.fleetjobs.alerts.store.ActionGroupRepository;
import io.fleetjobs.alerts.store.NewNotification;
import io.fleetjobs.alerts.store.OutboxRepository;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.util.List;

/**
 * Queues notices about job executions in the alert outbox, so they get its retries, signing, replay and
 * delivery log. The caller hands in its transaction: the notice it took from its own queue and the outbox
 * rows commit together, so a notice is queued once even when several agents share the job database.
 */
public final class ExecutionNoticeOutbox {
  private final ActionGroupRepository groups;
  private final OutboxRepository outbox;
  private final NotificationFactory notifications;
  private final EventBus bus;
  private final Clock clock;
  private final int maxAttempts;

  /** Where the rows go and how they are made. */
  public record Parts(ActionGroupRepository groups, OutboxRepository outbox, NotificationFactory notifications,
                      int maxAttempts) {
  }

  public ExecutionNoticeOutbox(Parts parts, EventBus bus, Clock clock) {
    this.groups = parts.groups();
    this.outbox = parts.outbox();
    this.notifications = parts.notifications();
    this.maxAttempts = parts.maxAttempts();
    this.bus = bus;
    this.clock = clock;
  }

  /**
   * Writes one row per receiver of the groups that still exist, in {@code conn}'s transaction.
   *
   * @return how many rows it wrote
   */
  public Future<Integer> enqueue(SqlConnection conn, ExecutionNotice notice, List<String> actionGroups) {
    return groups.receivers(conn, actionGroups)
      .compose(receivers -> {
        List<NewNotification> rows = notifications.forExecution(notice, receivers, clock.instant(), maxAttempts);
        return outbox.insert(conn, rows).map(rows.size());
      });
  }

  /** Tells delivery, on every agent, to claim now: call it once the rows are committed. */
  public void wake() {
    bus.publish(AlertsAddresses.NOTIFICATIONS_WAKE, null);
  }
}
