package io.fleetjobs.alerts.errors;

/**
 * A failure the caller caused: the server's HTTP edge maps {@link #status()} once. {@code target} names
 * the offending field in the request's own vocabulary (for example {@code criteria.allOf[0].threshold}).
 */
public abstract class AlertsException extends RuntimeException {
  private final String code;
  private final String target;

  protected AlertsException(String code, String target, String message) {
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

  public abstract int status();
}
