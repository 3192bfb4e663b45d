package io.fleetjobs.alerts.rules;

/**
 * How a criterion reduces its window. The metrics have Azure's one-minute grain: Total and Count add
 * up the executions in the window; Average, Minimum and Maximum look at the per-minute totals,
 * minutes without executions counting as zero.
 */
public enum TimeAggregation {
  Total,
  Count,
  Average,
  Minimum,
  Maximum;

  /** @param minuteTotals the window's per-minute totals, newest first, zeros included */
  public double reduce(long[] minuteTotals) {
    long sum = 0;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long total : minuteTotals) {
      sum += total;
      min = Math.min(min, total);
      max = Math.max(max, total);
    }
    return switch (this) {
      case Total, Count -> sum;
      case Average -> (double) sum / minuteTotals.length;
      case Minimum -> min;
      case Maximum -> max;
    };
  }
}
