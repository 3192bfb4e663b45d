package io.fleetjobs.common.errors;

/** A valid token whose role is too weak: 403. Says nothing about the resource asked for. */
public final class Forbidden extends FleetJobsException {
  public Forbidden(String requiredRole) {
    super(403, "Forbidden", null, "This operation needs the " + requiredRole + " role.");
  }

  @Override
  public Forbidden withTarget(String newTarget) {
    return this;
  }
}
