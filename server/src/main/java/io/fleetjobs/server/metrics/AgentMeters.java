package io.fleetjobs.server.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * The meters of an agent process, scraped at /metrics: the agent's own (ExecutionMetrics) and Vert.x's, in one
 * Prometheus registry.
 *
 * <p>Vert.x's gauges are left out. Vert.x 5.0 registers each of them again for every event-bus consumer,
 * connection, request and query, and reads its own counter back whichever registration Micrometer keeps
 * (vert-x3/vertx-micrometer-metrics#259). Micrometer 1.15 takes a second registration for a mistake and warns
 * ("This Gauge has been already registered"), on every start, at the second consumer. Denied meters are never
 * registered, so none is registered twice, and the warning stays meaningful for the agent's own gauges. Vert.x's
 * counters and timers (requests, response times, event-bus traffic, pool usage) stay.
 */
public final class AgentMeters {
  /** Every Vert.x meter is named vertx.*; the agent's are elastic_jobs_* and fleetjobs_*. */
  static final MeterFilter NO_VERTX_GAUGES =
    MeterFilter.deny(id -> id.getType() == Meter.Type.GAUGE && id.getName().startsWith("vertx."));

  private AgentMeters() {
  }

  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(NO_VERTX_GAUGES);
    return registry;
  }

  /** A Vert.x whose own metrics go to {@code registry}, one from {@link #newRegistry}. */
  public static Vertx vertx(PrometheusMeterRegistry registry) {
    return Vertx.builder()
      .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
      .withMetrics(new MicrometerMetricsFactory(registry))
      .build();
  }
}
