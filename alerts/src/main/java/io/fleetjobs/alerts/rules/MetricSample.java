package io.fleetjobs.alerts.rules;

/**
 * How many target executions ended with one outcome, for one combination of dimension values, a whole
 * number of seconds before the snapshot was taken.
 */
public record MetricSample(
  AlertMetric metric,
  String jobName,
  String stepName,
  String targetServer,
  String targetDatabase,
  long ageSeconds,
  long count) {

  public String value(Dimension dimension) {
    return switch (dimension) {
      case JOB_NAME -> jobName;
      case STEP_NAME -> stepName;
      case TARGET_SERVER -> targetServer;
      case TARGET_DATABASE -> targetDatabase;
    };
  }
}
