package io.fleetjobs.server.errors;

/** A step's result cannot go to its output table as the table is; no retry changes that. */
public final class OutputMismatch extends FleetJobsException {
  public OutputMismatch(String message) {
    super("OutputMismatch", "output", message);
  }

  @Override
  public OutputMismatch withTarget(String newTarget) {
    return this;
  }
}
