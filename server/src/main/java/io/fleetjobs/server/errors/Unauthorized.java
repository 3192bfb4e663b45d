package io.fleetjobs.server.errors;

/** No valid token. Says nothing about the resource asked for. */
public final class Unauthorized extends FleetJobsException {
  public Unauthorized() {
    super("Unauthorized", null, "A valid bearer token is required.");
  }

  @Override
  public Unauthorized withTarget(String newTarget) {
    return this;
  }
}
