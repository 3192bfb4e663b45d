package io.fleetjobs.server.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * A Vert.x that reports its own meters into the agent's registry: the job database's connection pools
 * ({@code vertx_pool_*} with {@code pool_type="sql"} and the pool's name), the HTTP server, the event bus.
 */
public final class MeteredVertx {
  private MeteredVertx() {
  }

  public static Vertx create(PrometheusMeterRegistry registry) {
    return Vertx.builder()
      .with(new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
      .withMetrics(new MicrometerMetricsFactory(registry))
      .build();
  }
}
