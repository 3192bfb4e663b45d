package io.fleetjobs.alerts.notify;

/** The mail about an execution that ended or paused: the subject alone says which job and how it went. */
public final class ExecutionEmail {
  private ExecutionEmail() {
  }

  public static MailContent compose(ExecutionNotice notice, DashboardLinks links, String messageId) {
    return new MailContent("[fleetjobs] " + notice.title(), body(notice, links), messageId, messageId);
  }

  static String body(ExecutionNotice notice, DashboardLinks links) {
    StringBuilder body = new StringBuilder();
    if (notice.dryRun()) {
      body.append("This was a dry run: every script ran inside a transaction that was rolled back.\n\n");
    }
    body.append("Job ").append(notice.jobName()).append(", version ").append(notice.jobVersion()).append(", ")
      .append(notice.paused() ? "paused." : "ended " + notice.lifecycle() + ".").append('\n')
      .append("Targets: ").append(notice.countsText()).append('\n')
      .append("Duration: ").append(notice.durationText()).append('\n');
    if (notice.lastMessage() != null && !notice.lastMessage().isBlank()) {
      body.append("Message: ").append(notice.lastMessage()).append('\n');
    }
    if (!notice.failureGroups().isEmpty()) {
      body.append("\nTop failures:\n");
      notice.failureGroups().forEach(group -> body.append("- ").append(group.describe()).append('\n'));
    }
    body.append("\nExecution: ").append(links.execution(notice.jobName(), notice.jobExecutionId())).append('\n');
    if (notice.failedTargets() > 0) {
      body.append("Failed targets: ").append(links.failedTargets(notice.jobName(), notice.jobExecutionId())).append('\n');
    }
    body.append("\nSent by execution notification '").append(notice.notificationName()).append("'.\n");
    return body.toString();
  }
}
