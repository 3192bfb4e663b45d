package io.fleetjobs.common.errors;

/** The request is malformed, has a wrong value, or refers to something that does not exist: 400. */
public final class InvalidInput extends FleetJobsException {
  public InvalidInput(String code, String target, String message) {
    super(400, code, target, message);
  }

  public InvalidInput(String target, String message) {
    this("InvalidValue", target, message);
  }

  @Override
  public InvalidInput withTarget(String newTarget) {
    return new InvalidInput(code(), newTarget, getMessage());
  }
}
