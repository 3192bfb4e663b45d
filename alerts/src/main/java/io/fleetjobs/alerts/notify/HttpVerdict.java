package io.fleetjobs.alerts.notify;

/**
 * What a webhook delivery does next given the receiver's HTTP status, following Standard Webhooks: only
 * 2xx is success; 408, 429 and 5xx are transient and retried; 410 Gone means the receiver asks us to stop
 * sending, so the receiver is disabled. A 3xx is a failure and redirects are never followed, because a
 * redirect could send the signed body to a destination the SSRF check never saw. Other 4xx will not get
 * better on a retry.
 */
public enum HttpVerdict {
  DELIVERED,
  RETRY,
  DISABLE_RECEIVER,
  FAIL;

  public static HttpVerdict of(int status) {
    if (status >= 200 && status < 300) {
      return DELIVERED;
    }
    if (status == 408 || status == 429 || status >= 500 && status < 600) {
      return RETRY;
    }
    if (status == 410) {
      return DISABLE_RECEIVER;
    }
    return FAIL;
  }
}
