package io.fleetjobs.server.errors;

/** The request clashes with stored state: a duplicate, or an object still in use. */
public final class Conflict extends FleetJobsException {
  public Conflict(String target, String message) {
    super("Conflict", target, message);
  }

  @Override
  public Conflict withTarget(String newTarget) {
    return new Conflict(newTarget, getMessage());
  }
}
