package io.fleetjobs.alerts.suppress;

/** What happens to the notifications of an alert that an active processing rule matches. */
public enum SuppressionMode {
  /** Azure's behaviour: the notifications are discarded, and nothing is sent when the window closes. */
  Drop,
  /**
   * The notifications are held and one summary goes out when the window closes if the alert still fires, so a
   * maintenance window cannot hide a problem that outlives it.
   */
  Defer
}
