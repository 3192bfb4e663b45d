package io.fleetjobs.server.targets;

/**
 * A statement a dry run will not run: one that cannot run inside the transaction the dry run rolls back. Never
 * retried, since no retry can put it inside one.
 */
public final class DryRunRefused extends RuntimeException {
  /** @param cause the server's refusal, or null when the agent refused the statement before sending it */
  public DryRunRefused(String reason, Throwable cause) {
    super(reason, cause);
  }
}
