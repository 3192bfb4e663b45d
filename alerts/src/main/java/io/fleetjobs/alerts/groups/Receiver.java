package io.fleetjobs.alerts.groups;

/**
 * One receiver of an action group, as delivery sees it. {@code secret} is write-only: it is set on a
 * webhook receiver read from a request (null when the request left it out) and never read back out.
 */
public record Receiver(
  String groupName,
  String name,
  Kind kind,
  String address,
  boolean useCommonAlertSchema,
  String secret,
  boolean disabled) {

  public enum Kind {
    email,
    webhook
  }

  /** Binds a sealed secret to its receiver, so a value copied to another row does not open. */
  public String secretContext() {
    return secretContext(groupName, name);
  }

  public static String secretContext(String groupName, String receiverName) {
    return "webhook:" + groupName + "/" + receiverName;
  }
}
