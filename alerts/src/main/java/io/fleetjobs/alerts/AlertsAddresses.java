package io.fleetjobs.alerts;

/** The event-bus addresses the alerts module owns. */
public final class AlertsAddresses {
  /** Publish, empty body: the outbox has new rows; delivery should claim now rather than at its next poll. */
  public static final String NOTIFICATIONS_WAKE = "alerts.notifications.wake";

  /**
   * Publish, an {@link io.fleetjobs.alerts.rules.RulePause} as JSON: a rule with {@code pauseJobs} fired; whoever
   * runs the engine pauses those jobs' running executions.
   */
  public static final String RULE_PAUSES = "alerts.rule.pauses";

  private AlertsAddresses() {
  }
}
