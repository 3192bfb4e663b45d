package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.rules.CriterionValue;
import io.fleetjobs.alerts.rules.InstanceKey;
import io.fleetjobs.alerts.source.RecentExecution;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Everything a notification says about one transition of one alert instance. Rendered once, when the
 * transition is written, into the exact bytes every attempt then sends.
 *
 * @param monitorCondition Fired or Resolved
 * @param windowEnd        the evaluation time the values were measured at
 * @param recent           the executions behind the values, newest first, already limited
 */
public record AlertNotice(
  UUID alertId,
  String ruleName,
  String description,
  int severity,
  String monitorCondition,
  Instant firedAt,
  Instant resolvedAt,
  Duration windowSize,
  Instant windowEnd,
  InstanceKey key,
  List<CriterionValue> values,
  List<RecentExecution> recent,
  int sequence,
  boolean test) {

  public static final String FIRED = "Fired";
  public static final String RESOLVED = "Resolved";

  public AlertNotice {
    values = List.copyOf(values);
    recent = List.copyOf(recent);
  }

  /** The same notice, naming the executions behind it. */
  public AlertNotice withRecent(List<RecentExecution> executions) {
    return new AlertNotice(alertId, ruleName, description, severity, monitorCondition, firedAt, resolvedAt, windowSize,
      windowEnd, key, values, executions, sequence, test);
  }

  public Instant windowStart() {
    return windowEnd.minus(windowSize);
  }

  public String severityName() {
    return "Sev" + severity;
  }
}
