package io.fleetjobs.alerts.errors;

/** The request is valid but the current state refuses it, for example replaying a pending row: 409. */
public final class ConflictInAlerts extends AlertsException {
  public ConflictInAlerts(String target, String message) {
    super("Conflict", target, message);
  }

  @Override
  public int status() {
    return 409;
  }
}
