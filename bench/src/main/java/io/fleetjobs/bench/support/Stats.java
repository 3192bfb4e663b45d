package io.fleetjobs.bench.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Order statistics of a sample, nearest-rank. */
public final class Stats {
  private Stats() {
  }

  public static double median(List<Double> values) {
    return percentile(values, 50);
  }

  /** The nearest-rank percentile: the smallest value with at least {@code p} % of the sample at or below it. */
  public static double percentile(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  public static double max(List<Double> values) {
    return Collections.max(values);
  }
}
