package io.fleetjobs.common.errors;

/**
 * A target server could not be reached or enumerated; the message carries the server's own error. 400: the
 * request named a server the agent cannot use, which the caller can fix; the agent itself did not fail.
 */
public final class TargetUnreachable extends FleetJobsException {
  public TargetUnreachable(String target, String message) {
    this(target, message, null);
  }

  /** @param cause the server's or the network's own failure, which says whether trying again may help */
  public TargetUnreachable(String target, String message, Throwable cause) {
    super(400, "TargetUnreachable", target, message, cause);
  }

  @Override
  public TargetUnreachable withTarget(String newTarget) {
    return new TargetUnreachable(newTarget, getMessage(), getCause());
  }
}
