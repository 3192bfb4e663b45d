package io.fleetjobs.alerts.store;

import io.fleetjobs.alerts.groups.Receiver;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * An outbox row about to be written, in the transaction of the alert transition that caused it.
 *
 * @param alertId       null for a test notification
 * @param status        Pending, or Suppressed/Deferred by a processing rule, or ReceiverDisabled
 * @param headers       the mail's threading headers; empty for webhooks
 * @param jobExecutionId for a notice about a job execution (then alertId is null and monitorCondition holds the
 *                       execution's lifecycle), else null
 * @param executionNotification the execution notification that asked for it, else null
 */
public record NewNotification(
  UUID id,
  String messageId,
  UUID alertId,
  String monitorCondition,
  boolean test,
  Receiver receiver,
  String subject,
  String body,
  JsonObject headers,
  String status,
  int maxAttempts,
  String suppressedBy,
  Instant deferredUntil,
  UUID jobExecutionId,
  String executionNotification) {
}
