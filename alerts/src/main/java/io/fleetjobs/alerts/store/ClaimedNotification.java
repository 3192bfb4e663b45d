package io.fleetjobs.alerts.store;

import io.fleetjobs.alerts.groups.Receiver;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** An outbox row this agent holds the lease on; {@code claim} fences the result it records. */
public record ClaimedNotification(
  UUID id,
  int claim,
  String messageId,
  String groupName,
  String receiverName,
  Receiver.Kind kind,
  String address,
  String subject,
  String body,
  JsonObject headers,
  int attempts,
  int maxAttempts,
  boolean test) {
}
