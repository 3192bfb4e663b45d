package io.fleetjobs.common.errors;

/**
 * A failure the caller caused or can act on, in both modules. {@code code} is stable for automation,
 * {@code target} names the offending field in the request's own vocabulary (null when none applies), and
 * {@link #status()} is the HTTP status each kind fixes once, in its constructor; the server's HTTP edge
 * renders every kind with it.
 */
public abstract class FleetJobsException extends RuntimeException {
  private final int status;
  private final String code;
  private final String target;

  protected FleetJobsException(int status, String code, String target, String message) {
    this(status, code, target, message, null);
  }

  /** @param cause what the failure comes from, kept so that its kind (a SQLSTATE, say) can still be read */
  protected FleetJobsException(int status, String code, String target, String message, Throwable cause) {
    // No stack trace: these are answers to the caller, not faults to debug.
    super(message, cause, false, false);
    this.status = status;
    this.code = code;
    this.target = target;
  }

  public int status() {
    return status;
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
