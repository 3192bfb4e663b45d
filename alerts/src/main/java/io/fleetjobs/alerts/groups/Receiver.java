package io.fleetjobs.alerts.groups;

import io.fleetjobs.common.secrets.SecretReference;

/**
 * One receiver of an action group, as delivery sees it. {@code secret} is write-only: it is set on a
 * webhook receiver read from a request (null when the request left it out) and never read back out.
 * {@code secretFrom} is where a webhook receiver's secret is read at each delivery instead (a file or a
 * FLEETJOBS_SECRET_ variable); a request gives at most one of the two.
 * A chat receiver (Slack, Teams) read from a request carries its incoming-webhook URL in {@code address}
 * (null when the request left it out, to keep the stored one); read from the store, {@code address} is only
 * the URL's scheme and host, since the URL itself is the secret.
 */
public record Receiver(
  String groupName,
  String name,
  Kind kind,
  String address,
  boolean useCommonAlertSchema,
  String secret,
  SecretReference secretFrom,
  boolean disabled) {

  public enum Kind {
    email,
    webhook,
    slack,
    teams;

    /** Posted to an incoming-webhook URL that is itself the secret, in the chat's own format. */
    public boolean isChat() {
      return this == slack || this == teams;
    }

    /** The body field that lists receivers of this kind: emailReceivers, slackReceivers, ... */
    public String field() {
      return name() + "Receivers";
    }
  }

  /** Binds a sealed secret to its receiver, so a value copied to another row does not open. */
  public String secretContext() {
    return secretContext(groupName, name);
  }

  public static String secretContext(String groupName, String receiverName) {
    return "webhook:" + groupName + "/" + receiverName;
  }
}
