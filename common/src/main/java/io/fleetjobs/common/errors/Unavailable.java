package io.fleetjobs.common.errors;

/**
 * The job database stopped the request's work before it finished (its statement or lock timeout): 503. The
 * work ran in one transaction, so nothing of it was kept; the same request may succeed later.
 */
public final class Unavailable extends FleetJobsException {
  public Unavailable(String message, Throwable cause) {
    super(503, "ServiceUnavailable", null, message, cause);
  }

  @Override
  public Unavailable withTarget(String newTarget) {
    return this;
  }
}
