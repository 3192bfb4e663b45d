package io.fleetjobs.common.errors;

/** No valid token: 401. Says nothing about the resource asked for. */
public final class Unauthorized extends FleetJobsException {
  public Unauthorized() {
    super(401, "Unauthorized", null, "A valid bearer token is required.");
  }

  @Override
  public Unauthorized withTarget(String newTarget) {
    return this;
  }
}
