package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.groups.Receiver;
import io.fleetjobs.alerts.store.NewNotification;
import io.fleetjobs.alerts.suppress.AlertFacts;
import io.fleetjobs.alerts.suppress.ProcessingRule;
import io.fleetjobs.alerts.suppress.SuppressionMode;
import io.fleetjobs.alerts.suppress.Suppressions;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns one alert transition into one outbox row per receiver, rendered to the exact bytes every
 * attempt sends. Processing rules are applied here, when the transition happens, as Azure does.
 */
public final class NotificationFactory {
  /** The latest deferral the job database stores; a window without end holds notifications until then. */
  private static final Instant FOREVER = LocalDate.of(9999, 12, 31).atStartOfDay().toInstant(ZoneOffset.UTC);
  private final DashboardLinks links;

  public NotificationFactory(DashboardLinks links) {
    this.links = links;
  }

  public List<NewNotification> forNotice(AlertNotice notice, List<Receiver> receivers, List<ProcessingRule> rules,
                                         Instant now, int maxAttempts) {
    AlertFacts facts = new AlertFacts(notice.ruleName(), notice.severity(), notice.monitorCondition(),
      notice.description());
    Optional<Suppressions.Decision> decision = notice.test() ? Optional.empty() : Suppressions.decide(rules, facts, now);
    List<NewNotification> rows = new ArrayList<>();
    for (Receiver receiver : receivers) {
      String status = "Pending";
      String suppressedBy = null;
      Instant deferredUntil = null;
      if (receiver.disabled() && !notice.test()) {
        status = "ReceiverDisabled";
      } else if (decision.isPresent()) {
        suppressedBy = decision.get().ruleName();
        if (decision.get().mode() == SuppressionMode.Drop) {
          status = "Suppressed";
        } else {
          status = "Deferred";
          deferredUntil = decision.get().until().isAfter(FOREVER) ? FOREVER : decision.get().until();
        }
      }
      rows.add(render(notice, receiver, status, maxAttempts, suppressedBy, deferredUntil));
    }
    return rows;
  }

  private NewNotification render(AlertNotice notice, Receiver receiver, String status, int maxAttempts,
                                 String suppressedBy, Instant deferredUntil) {
    String subject = null;
    String body;
    JsonObject headers = new JsonObject();
    if (receiver.kind() == Receiver.Kind.email) {
      MailContent mail = AlertEmail.compose(notice, links);
      subject = mail.subject();
      body = mail.text();
      headers.put("Message-ID", mail.messageId());
      if (mail.isReply()) {
        headers.put("In-Reply-To", mail.threadRoot()).put("References", mail.threadRoot());
      }
    } else {
      body = (receiver.useCommonAlertSchema()
        ? CommonAlertSchema.render(notice, links)
        : LegacyMetricAlertSchema.render(notice, links)).encode();
    }
    return new NewNotification(UUID.randomUUID(), WebhookSecrets.newMessageId(), notice.test() ? null : notice.alertId(),
      notice.monitorCondition(), notice.test(), receiver, subject, body, headers, status, maxAttempts, suppressedBy,
      deferredUntil);
  }
}
