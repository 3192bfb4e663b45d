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
 *
 * <p>Vert.x's gauges are left out, but for its SQL pools' (one registration per pool). Vert.x 5.0 registers each of
 * the others again for every event-bus consumer, connection, request and query, and reads its own counter back
 * whichever registration Micrometer keeps (vert-x3/vertx-micrometer-metrics#259). Micrometer 1.15 takes a second
 * registration for a mistake and warns ("This Gauge has been already registered") on every start. Denied meters
 * are never registered, so none is registered twice, and the warning stays meaningful for the agent's own
 * gauges. Vert.x's counters and timers (requests, response times, event-bus traffic) stay.
 */
public final class PrometheusRegistry {
  private static final String CPU_COUNT = "system.cpu.count";

  private PrometheusRegistry() {
  }

  public static PrometheusMeterRegistry create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
      .meterFilter(MeterFilter.deny(id -> id.getType() == Meter.Type.GAUGE && id.getName().startsWith("vertx.")
        && !(id.getName().startsWith("vertx.pool.") && "sql".equals(id.getTag("pool_type")))))
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
