package io.fleetjobs.alerts.notify;

/**
 * A composed alert mail. {@code threadRoot} is the Message-ID of the alert's Fired mail; a Resolved
 * mail names it in In-Reply-To and References, so mail clients show both in one thread.
 */
public record MailContent(String subject, String text, String messageId, String threadRoot) {

  public boolean isReply() {
    return !messageId.equals(threadRoot);
  }
}
