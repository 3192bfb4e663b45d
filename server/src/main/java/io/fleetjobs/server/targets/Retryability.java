package io.fleetjobs.server.targets;

/**
 * Whether a failure on a target may succeed when tried again. A permanent failure carries the reason it will
 * not, as the target's lastMessage shows it: {@code not retried: <reason>}.
 */
public record Retryability(boolean retryable, String reason) {
  public static final Retryability TRANSIENT = new Retryability(true, null);

  public static Retryability permanent(String reason) {
    return new Retryability(false, reason);
  }
}
