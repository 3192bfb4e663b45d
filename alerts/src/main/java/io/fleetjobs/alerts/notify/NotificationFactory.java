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
 * Turns one alert transition, or one job execution's end, into one outbox row per receiver, rendered to the
 * exact bytes every attempt sends, in the receiver's format: mail, webhook JSON, Slack blocks or a Teams
 * Adaptive Card. Processing rules are applied to alerts here, when the transition happens, as Azure does;
 * they do not apply to execution notices, which are not alerts.
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
    } else if (receiver.kind() == Receiver.Kind.slack) {
      body = SlackMessage.alert(notice, links).encode();
    } else if (receiver.kind() == Receiver.Kind.teams) {
      body = TeamsMessage.alert(notice, links).encode();
    } else {
      body = (receiver.useCommonAlertSchema()
        ? CommonAlertSchema.render(notice, links)
        : LegacyMetricAlertSchema.render(notice, links)).encode();
    }
    return new NewNotification(UUID.randomUUID(), WebhookSecrets.newMessageId(), notice.test() ? null : notice.alertId(),
      notice.monitorCondition(), notice.test(), receiver, subject, body, headers, status, maxAttempts, suppressedBy,
      deferredUntil, null, null);
  }

  /** One row per receiver for a job execution that ended or paused; a disabled receiver's row is kept, unsent. */
  public List<NewNotification> forExecution(ExecutionNotice notice, List<Receiver> receivers, Instant now,
                                            int maxAttempts) {
    List<NewNotification> rows = new ArrayList<>();
    for (Receiver receiver : receivers) {
      String messageId = WebhookSecrets.newMessageId();
      String subject = null;
      JsonObject headers = new JsonObject();
      String body = switch (receiver.kind()) {
        case email -> {
          MailContent mail = ExecutionEmail.compose(notice, links,
            "<execution-" + notice.jobExecutionId() + "-" + messageId + "@" + links.mailDomain() + ">");
          subject = mail.subject();
          headers.put("Message-ID", mail.messageId());
          yield mail.text();
        }
        case webhook -> ExecutionNoticeSchema.render(notice, links, now).encode();
        case slack -> SlackMessage.execution(notice, links).encode();
        case teams -> TeamsMessage.execution(notice, links).encode();
      };
      rows.add(new NewNotification(UUID.randomUUID(), messageId, null, notice.lifecycle(), false, receiver, subject,
        body, headers, receiver.disabled() ? "ReceiverDisabled" : "Pending", maxAttempts, null, null,
        notice.jobExecutionId(), notice.notificationName()));
    }
    return rows;
  }
}
