package io.fleetjobs.alerts.rules;

import java.util.Locale;
import java.util.Optional;

/**
 * The three metrics Azure publishes for a job agent, under their REST names. Each counts target
 * executions that ended in one lifecycle. The display names are accepted too, so the documented
 * recipe ("Elastic Jobs Executions Failed, Total, GreaterThan 0") works as written.
 */
public enum AlertMetric {
  FAILED("elastic_jobs_failed", "Elastic Jobs Executions Failed", "Failed"),
  SUCCESSFUL("elastic_jobs_successful", "Elastic Jobs Executions Successful", "Succeeded"),
  TIMEOUT("elastic_jobs_timeout", "Elastic Jobs Executions Timed Out", "TimedOut");

  /** The namespace receivers built for Azure expect in alertContext. */
  public static final String NAMESPACE = "Microsoft.Sql/servers/jobAgents";

  private final String restName;
  private final String displayName;
  private final String lifecycle;

  AlertMetric(String restName, String displayName, String lifecycle) {
    this.restName = restName;
    this.displayName = displayName;
    this.lifecycle = lifecycle;
  }

  public String restName() {
    return restName;
  }

  public String displayName() {
    return displayName;
  }

  /** The target execution lifecycle this metric counts. */
  public String lifecycle() {
    return lifecycle;
  }

  public static Optional<AlertMetric> parse(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (AlertMetric metric : values()) {
      if (metric.restName.equals(wanted) || metric.displayName.toLowerCase(Locale.ROOT).equals(wanted)) {
        return Optional.of(metric);
      }
    }
    return Optional.empty();
  }

  public static Optional<AlertMetric> ofLifecycle(String lifecycle) {
    for (AlertMetric metric : values()) {
      if (metric.lifecycle.equals(lifecycle)) {
        return Optional.of(metric);
      }
    }
    return Optional.empty();
  }
}
