package io.fleetjobs.common.errors;

/** A step's result cannot go to its output table as the table is; no retry changes that. 400 where a caller sees it. */
public final class OutputMismatch extends FleetJobsException {
  public OutputMismatch(String message) {
    super(400, "OutputMismatch", "output", message);
  }

  @Override
  public OutputMismatch withTarget(String newTarget) {
    return this;
  }
}
