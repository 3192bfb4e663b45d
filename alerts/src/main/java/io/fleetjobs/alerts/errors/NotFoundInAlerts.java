package io.fleetjobs.alerts.errors;

/** The named rule, action group, alert or notification does not exist: 404. */
public final class NotFoundInAlerts extends AlertsException {
  public NotFoundInAlerts(String target, String message) {
    super("NotFound", target, message);
  }

  @Override
  public int status() {
    return 404;
  }
}
