package io.fleetjobs.alerts.rules;

import java.time.Instant;
import java.util.List;

/** The samples of the longest window in use, read at {@code at} on the job database's clock. */
public record MetricSnapshot(Instant at, List<MetricSample> samples) {
  public MetricSnapshot {
    samples = List.copyOf(samples);
  }
}
