package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.groups.Receiver;
import io.fleetjobs.alerts.store.HeldNotification;
import io.fleetjobs.alerts.store.NewNotification;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * The one notification a Defer window sends when it closes and the alert still fires: the newest held
 * one, marked as a summary. An email keeps its Message-ID, so the thread starts with it.
 */
public final class DeferredSummary {
  private DeferredSummary() {
  }

  public static NewNotification of(HeldNotification held) {
    String note = "Held during a maintenance window by alert processing rule '" + held.deferredBy() + "' ("
      + held.held() + " notification" + (held.held() == 1 ? "" : "s") + "); the alert is still firing.";
    String subject = held.subject();
    String body;
    if (held.receiver().kind() == Receiver.Kind.email) {
      subject = "[Deferred] " + subject;
      body = note + "\n\n" + held.body();
    } else if (held.receiver().kind() == Receiver.Kind.slack) {
      body = SlackMessage.withNote(new JsonObject(held.body()), note).encode();
    } else if (held.receiver().kind() == Receiver.Kind.teams) {
      body = TeamsMessage.withNote(new JsonObject(held.body()), note).encode();
    } else {
      JsonObject payload = new JsonObject(held.body());
      JsonObject data = payload.getJsonObject("data");
      JsonObject properties = data.containsKey("customProperties")
        ? data.getJsonObject("customProperties")
        : data.getJsonObject("properties");
      if (properties == null) {
        properties = new JsonObject();
        data.put("customProperties", properties);
      }
      properties.put("deferred", "true").put("deferredNote", note).put("heldNotifications", Integer.toString(held.held()));
      body = payload.encode();
    }
    return new NewNotification(UUID.randomUUID(), WebhookSecrets.newMessageId(), held.alertId(),
      held.monitorCondition(), false, held.receiver(), subject, body, held.headers(), "Pending", held.maxAttempts(),
      held.deferredBy(), null, null, null);
  }
}
