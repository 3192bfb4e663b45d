package io.fleetjobs.server.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The registry behind /metrics, made so that {@code promtool check metrics} has nothing to say about a scrape:
 * two of Micrometer's process meters break Prometheus' naming rules and are adjusted before anything registers
 * (Micrometer applies filters only to meters registered after them). {@link ProcessMetrics} adds
 * {@code process_cpu_seconds_total}, the name Prometheus' own clients use, in place of the nanoseconds counter.
 */
public final class PrometheusRegistry {
  private static final String CPU_COUNT = "system.cpu.count";

  private PrometheusRegistry() {
  }

  public static PrometheusMeterRegistry create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
      // process_cpu_time_ns_total: "metric names should not contain abbreviated units".
      .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
      // system_cpu_count: "non-histogram and non-summary metrics should not have _count suffix".
      .meterFilter(new MeterFilter() {
        @Override
        public Meter.Id map(Meter.Id id) {
          return id.getName().equals(CPU_COUNT) ? id.withName("system.cpus") : id;
        }
      });
    return registry;
  }
}
