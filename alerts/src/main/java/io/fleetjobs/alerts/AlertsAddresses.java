package io.fleetjobs.alerts;

/** The event-bus addresses the alerts module owns. */
public final class AlertsAddresses {
  /** Publish, empty body: the outbox has new rows; delivery should claim now rather than at its next poll. */
  public static final String NOTIFICATIONS_WAKE = "alerts.notifications.wake";

  private AlertsAddresses() {
  }
}
