package io.fleetjobs.alerts.notify;

import java.util.UUID;

/** Links into the dashboard, from the agent's public URL (FLEETJOBS_PUBLIC_URL). */
public record DashboardLinks(String publicUrl) {

  public DashboardLinks {
    publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
  }

  public String execution(UUID jobExecutionId) {
    return publicUrl + "/#/executions/" + jobExecutionId;
  }

  /** The execution page, listing only its Failed and TimedOut targets. */
  public String failedTargets(UUID jobExecutionId) {
    return execution(jobExecutionId) + "?lifecycle=Failed,TimedOut";
  }

  public String alert(UUID alertId) {
    return publicUrl + "/#/alerts/" + alertId;
  }

  /** The domain part of Message-IDs: the public host, so threads from two agents never collide. */
  public String mailDomain() {
    String host = publicUrl.replaceFirst("^[a-zA-Z]+://", "").replaceFirst("[:/].*$", "");
    return host.isBlank() ? "fleetjobs.local" : host;
  }
}
