package io.fleetjobs.alerts.errors;

/** A request field is missing, malformed or refers to something that does not exist: 400. */
public final class InvalidField extends AlertsException {
  public InvalidField(String target, String message) {
    super("InvalidValue", target, message);
  }

  @Override
  public int status() {
    return 400;
  }
}
