package io.fleetjobs.server.errors;

/**
 * A failure the caller caused or can act on. {@code code} is stable for automation, {@code target}
 * names the offending field (null when none applies). The HTTP edge maps each kind to a status once.
 */
public abstract class FleetJobsException extends RuntimeException {
  private final String code;
  private final String target;

  protected FleetJobsException(String code, String target, String message) {
    super(message, null, false, false);
    this.code = code;
    this.target = target;
  }

  public String code() {
    return code;
  }

  public String target() {
    return target;
  }

  /** The same failure, with its target renamed into the caller's vocabulary. */
  public abstract FleetJobsException withTarget(String newTarget);
}
