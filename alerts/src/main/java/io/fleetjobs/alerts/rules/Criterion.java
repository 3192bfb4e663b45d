package io.fleetjobs.alerts.rules;

import java.util.List;

/** One static-threshold condition of a rule's {@code criteria.allOf}. */
public record Criterion(
  String name,
  AlertMetric metric,
  List<DimensionFilter> dimensions,
  TimeAggregation timeAggregation,
  ComparisonOperator operator,
  double threshold) {

  public Criterion {
    dimensions = List.copyOf(dimensions);
  }

  /** Whether a sample belongs to this criterion at all, before splitting. */
  public boolean accepts(MetricSample sample) {
    if (sample.metric() != metric) {
      return false;
    }
    for (DimensionFilter filter : dimensions) {
      if (!filter.accepts(sample.value(filter.name()))) {
        return false;
      }
    }
    return true;
  }

  /** The threshold as Azure's payload writes it: a string, without a needless ".0". */
  public String thresholdText() {
    return threshold == Math.rint(threshold) && Math.abs(threshold) < 1e15
      ? Long.toString((long) threshold)
      : Double.toString(threshold);
  }
}
