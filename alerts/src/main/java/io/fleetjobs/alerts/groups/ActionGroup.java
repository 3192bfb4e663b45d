package io.fleetjobs.alerts.groups;

import io.fleetjobs.alerts.json.JsonFields;
import io.fleetjobs.alerts.notify.SsrfGuard;
import io.fleetjobs.alerts.notify.WebhookSecrets;
import io.fleetjobs.common.secrets.SecretReference;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An action group as Azure shapes it: who is told, by email and by webhook; and, beyond Azure, in Slack and
 * Microsoft Teams channels through their incoming webhooks.
 */
public record ActionGroup(String name, List<Receiver> receivers) {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s<>\"(),;:]+@[^@\\s<>\"(),;:]+");
  private static final int MAX_RECEIVERS = 100;

  public ActionGroup {
    receivers = List.copyOf(receivers);
  }

  public static ActionGroup fromJson(String name, JsonObject body) {
    JsonFields json = JsonFields.named(name, body);
    List<Receiver> receivers = new ArrayList<>();
    receivers.addAll(json.objects("emailReceivers", MAX_RECEIVERS, r -> email(name, r)));
    receivers.addAll(json.objects("webhookReceivers", MAX_RECEIVERS, r -> webhook(name, r)));
    receivers.addAll(json.objects("slackReceivers", MAX_RECEIVERS, r -> chat(name, Receiver.Kind.slack, r)));
    receivers.addAll(json.objects("teamsReceivers", MAX_RECEIVERS, r -> chat(name, Receiver.Kind.teams, r)));
    Set<String> names = new HashSet<>();
    for (Receiver receiver : receivers) {
      if (!names.add(receiver.name())) {
        throw json.invalid(receiver.kind() + "Receivers", "has two receivers named '" + receiver.name()
          + "'; names are unique within an action group.");
      }
    }
    return new ActionGroup(name, receivers);
  }

  private static Receiver email(String group, JsonFields json) {
    String name = JsonFields.checkName(json.requiredString("name", 128), json.path("name"));
    String address = json.requiredString("emailAddress", 254).trim();
    if (!EMAIL.matcher(address).matches()) {
      throw json.invalid("emailAddress", "is not an email address: '" + address + "'.");
    }
    return new Receiver(group, name, Receiver.Kind.email, address, true, null, null, false);
  }

  private static Receiver webhook(String group, JsonFields json) {
    String name = JsonFields.checkName(json.requiredString("name", 128), json.path("name"));
    String uri = SsrfGuard.checkedUri(json.requiredString("serviceUri", 2048), json.path("serviceUri")).toString();
    String secret = json.string("secret", 200).orElse(null);
    if (secret != null) {
      WebhookSecrets.validate(secret, json.path("secret"));
    }
    SecretReference secretFrom = json.secretReference("secretFrom").orElse(null);
    if (secret != null && secretFrom != null) {
      throw json.invalid("secret", "and secretFrom cannot both be given: give the secret's value or where it is "
        + "read, not both.");
    }
    return new Receiver(group, name, Receiver.Kind.webhook, uri, json.bool("useCommonAlertSchema", true), secret,
      secretFrom, false);
  }

  /**
   * A Slack or Teams incoming webhook. Its URL may be left out to keep the one stored for a receiver of the same
   * name and kind: the URL is never shown again, so an edit need not repeat it.
   */
  private static Receiver chat(String group, Receiver.Kind kind, JsonFields json) {
    String name = JsonFields.checkName(json.requiredString("name", 128), json.path("name"));
    String url = json.string("webhookUrl", 2048)
      .map(text -> SsrfGuard.checkedUri(text, json.path("webhookUrl")).toString())
      .orElse(null);
    return new Receiver(group, name, kind, url, false, null, null, false);
  }

  public List<Receiver> webhooks() {
    return receivers.stream().filter(r -> r.kind() == Receiver.Kind.webhook).toList();
  }

  /** The receivers of one kind, in the order the request listed them. */
  public List<Receiver> ofKind(Receiver.Kind kind) {
    return receivers.stream().filter(r -> r.kind() == kind).toList();
  }
}
