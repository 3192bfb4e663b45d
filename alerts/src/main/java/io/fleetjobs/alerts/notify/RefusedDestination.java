package io.fleetjobs.alerts.notify;

/**
 * A webhook destination that cannot be resolved or resolves into a range {@link SsrfGuard} refuses. The
 * message is the whole story for the user, so there is no stack trace to fill in.
 */
public final class RefusedDestination extends RuntimeException {
  public RefusedDestination(String message) {
    super(message, null, false, false);
  }
}
