package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.rules.CriterionValue;
import io.fleetjobs.alerts.source.RecentExecution;
import java.util.stream.Collectors;

/**
 * The alert mail: the subject alone says which rule, which job and which target, and the value against
 * the threshold; the body adds the window, the targets' messages and links into the dashboard.
 */
public final class AlertEmail {
  private AlertEmail() {
  }

  public static MailContent compose(AlertNotice notice, DashboardLinks links) {
    String threadRoot = "<alert-" + notice.alertId() + "@" + links.mailDomain() + ">";
    String messageId = AlertNotice.FIRED.equals(notice.monitorCondition())
      ? threadRoot
      : "<alert-" + notice.alertId() + "-" + notice.sequence() + "@" + links.mailDomain() + ">";
    return new MailContent(subject(notice), body(notice, links), messageId, threadRoot);
  }

  static String subject(AlertNotice notice) {
    StringBuilder subject = new StringBuilder()
      .append(notice.test() ? "[Test] " : "")
      .append('[').append(notice.monitorCondition()).append("] ")
      .append(notice.severityName()).append(' ')
      .append(notice.ruleName()).append(": ")
      .append(notice.values().stream().map(AlertEmail::condition).collect(Collectors.joining(" and ")))
      .append(" in ").append(notice.windowSize());
    String where = where(notice);
    if (!where.isEmpty()) {
      subject.append(" (").append(where).append(')');
    }
    return subject.toString();
  }

  /** The instance's dimensions, or else the latest execution behind the alert. */
  private static String where(AlertNotice notice) {
    if (!notice.key().values().isEmpty()) {
      return notice.key().describe();
    }
    if (notice.recent().isEmpty()) {
      return "";
    }
    RecentExecution latest = notice.recent().get(0);
    return "job " + latest.jobName() + ", step " + latest.stepName() + ", " + latest.targetServer() + "/"
      + latest.targetDatabase();
  }

  private static String condition(CriterionValue value) {
    return value.criterion().metric().restName() + " " + value.criterion().timeAggregation() + " "
      + number(value.value()) + " " + value.criterion().operator().symbol() + " "
      + value.criterion().thresholdText();
  }

  static String body(AlertNotice notice, DashboardLinks links) {
    StringBuilder body = new StringBuilder();
    if (notice.test()) {
      body.append("This is a test notification from fleetjobs. No alert fired.\n\n");
    }
    body.append("Alert rule '").append(notice.ruleName()).append("' ")
      .append(notice.monitorCondition().toLowerCase()).append(" (").append(notice.severityName()).append(").\n");
    if (!notice.description().isBlank()) {
      body.append("Description: ").append(notice.description()).append('\n');
    }
    for (CriterionValue value : notice.values()) {
      body.append("Condition: ").append(value.criterion().metric().displayName()).append(" (")
        .append(value.criterion().metric().restName()).append("), ").append(value.criterion().timeAggregation())
        .append(" = ").append(number(value.value())).append(", threshold ").append(value.criterion().operator())
        .append(' ').append(value.criterion().thresholdText()).append('\n');
    }
    body.append("Window: ").append(notice.windowSize()).append(", from ").append(notice.windowStart())
      .append(" to ").append(notice.windowEnd()).append('\n');
    if (!notice.key().values().isEmpty()) {
      body.append("Instance: ").append(notice.key().describe()).append('\n');
    }
    body.append("Fired at: ").append(notice.firedAt()).append('\n');
    if (notice.resolvedAt() != null) {
      body.append("Resolved at: ").append(notice.resolvedAt()).append('\n');
    }
    if (!notice.recent().isEmpty()) {
      body.append("\nTarget executions behind it, newest first:\n");
      for (RecentExecution execution : notice.recent()) {
        body.append("- job ").append(execution.jobName()).append(", step ").append(execution.stepName())
          .append(", ").append(execution.targetServer()).append('/').append(execution.targetDatabase())
          .append(": ").append(execution.metric().lifecycle()).append(" at ").append(execution.endTime()).append('\n');
        if (execution.lastMessage() != null && !execution.lastMessage().isBlank()) {
          body.append("  ").append(execution.lastMessage().replace('\n', ' ')).append('\n');
        }
        body.append("  ").append(links.execution(execution.jobName(), execution.jobExecutionId())).append('\n');
      }
    }
    body.append("\nAlert: ").append(links.alert(notice.alertId())).append('\n');
    return body.toString();
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : String.format("%.3f", value);
  }
}
