package io.fleetjobs.alerts.notify;

import java.time.Duration;

/**
 * What one delivery attempt came to, before the retry policy decides what follows.
 *
 * @param responseCode the HTTP status, or the SMTP reply code when known; null when none came back
 * @param retryAfter   the receiver's Retry-After; null when it sent none
 */
public record AttemptResult(Verdict verdict, Integer responseCode, String error, Duration retryAfter) {

  public enum Verdict {
    DELIVERED,
    /** Worth another attempt: a network error, a timeout, 408, 429 or 5xx. */
    RETRY,
    /** 410 Gone: the receiver asked to get nothing more. */
    DISABLE_RECEIVER,
    /** Another attempt would fail the same way. */
    FAIL,
    /** The SSRF guard refused the destination. */
    REFUSED
  }

  public static AttemptResult delivered(int code) {
    return new AttemptResult(Verdict.DELIVERED, code, null, null);
  }
}
