package io.fleetjobs.alerts.source;

import io.fleetjobs.alerts.rules.AlertMetric;
import io.fleetjobs.alerts.rules.MetricSample;
import java.time.Instant;
import java.util.UUID;

/** One target execution behind an alert: what a notification names so the reader knows what failed. */
public record RecentExecution(
  AlertMetric metric,
  UUID jobExecutionId,
  String jobName,
  String stepName,
  String targetServer,
  String targetDatabase,
  Instant endTime,
  String lastMessage) {

  /** As a sample, so the rule's own filters and instance key can be applied to it. */
  public MetricSample asSample() {
    return new MetricSample(metric, jobName, stepName, targetServer, targetDatabase, 0, 1);
  }
}
