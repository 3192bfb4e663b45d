package io.fleetjobs.server.errors;

/** A target server could not be reached or enumerated; the message carries the server's own error. */
public final class TargetUnreachable extends FleetJobsException {
  public TargetUnreachable(String target, String message) {
    super("TargetUnreachable", target, message);
  }

  @Override
  public TargetUnreachable withTarget(String newTarget) {
    return new TargetUnreachable(newTarget, getMessage());
  }
}
