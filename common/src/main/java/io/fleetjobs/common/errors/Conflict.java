package io.fleetjobs.common.errors;

/** The request clashes with stored state: a duplicate, an object still in use, a row not in a state to act on: 409. */
public final class Conflict extends FleetJobsException {
  public Conflict(String target, String message) {
    super(409, "Conflict", target, message);
  }

  @Override
  public Conflict withTarget(String newTarget) {
    return new Conflict(newTarget, getMessage());
  }
}
