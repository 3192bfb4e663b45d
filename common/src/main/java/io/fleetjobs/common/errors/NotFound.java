package io.fleetjobs.common.errors;

/** The named object does not exist: 404. */
public final class NotFound extends FleetJobsException {
  public NotFound(String target, String message) {
    super(404, "NotFound", target, message);
  }

  @Override
  public NotFound withTarget(String newTarget) {
    return new NotFound(newTarget, getMessage());
  }
}
