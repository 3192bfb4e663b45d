package io.fleetjobs.common.errors;

/**
 * A target server could not be reached or enumerated; the message carries the server's own error. 400: the
 * request named a server the agent cannot use, which the caller can fix; the agent itself did not fail.
 */
public final class TargetUnreachable extends FleetJobsException {
  public TargetUnreachable(String target, String message) {
    super(400, "TargetUnreachable", target, message);
  }

  @Override
  public TargetUnreachable withTarget(String newTarget) {
    return new TargetUnreachable(newTarget, getMessage());
  }
}
