package io.fleetjobs.alerts.notify;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Links into the dashboard, from the agent's public URL (FLEETJOBS_PUBLIC_URL). */
public record DashboardLinks(String publicUrl) {

  public DashboardLinks {
    publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
  }

  /**
   * The execution page, under its job: knowing the job, the page sends all its requests at once (the old form,
   * #/executions/{id}, still opens, a request wave later).
   */
  public String execution(String jobName, UUID jobExecutionId) {
    return publicUrl + "/#/jobs/" + URLEncoder.encode(jobName, StandardCharsets.UTF_8).replace("+", "%20")
      + "/executions/" + jobExecutionId;
  }

  /** The execution page, listing only its Failed and TimedOut targets. */
  public String failedTargets(String jobName, UUID jobExecutionId) {
    return execution(jobName, jobExecutionId) + "?lifecycle=Failed,TimedOut";
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
