package io.fleetjobs.alerts.store;

import io.fleetjobs.alerts.groups.Receiver;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * The newest notification a Defer window held for one alert and receiver, at the window's close while
 * the alert still fires; {@code held} counts all it held for them.
 */
public record HeldNotification(
  UUID alertId,
  String monitorCondition,
  Receiver receiver,
  String subject,
  String body,
  JsonObject headers,
  int maxAttempts,
  String deferredBy,
  int held) {
}
