package io.fleetjobs.server.errors;

public final class NotFound extends FleetJobsException {
  public NotFound(String target, String message) {
    super("NotFound", target, message);
  }

  @Override
  public NotFound withTarget(String newTarget) {
    return new NotFound(newTarget, getMessage());
  }
}
