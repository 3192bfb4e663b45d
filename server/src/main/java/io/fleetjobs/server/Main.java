package io.fleetjobs.server;

import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.config.ConfigLoader;
import io.fleetjobs.server.config.TelemetrySettings.LogFormat;
import io.fleetjobs.server.logging.LogFormats;
import io.fleetjobs.server.metrics.MeteredVertx;
import io.fleetjobs.server.metrics.PrometheusRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** Starts the agent, prints where it is and, on a new job database, its first admin token. */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    // One registry for Vert.x's own metrics and the agent's, scraped at /metrics.
    PrometheusMeterRegistry registry = PrometheusRegistry.create();
    Vertx vertx = MeteredVertx.create(registry);
    Agent agent;
    AgentConfig config;
    try {
      config = ConfigLoader.load(vertx, args, System.getenv()).await();
      LogFormats.apply(config.telemetry().logFormat());
      agent = Agent.start(vertx, config, registry).await();
    } catch (Exception e) {
      System.err.println("fleetjobs could not start: " + e.getMessage());
      vertx.close();
      System.exit(1);
      return;
    }
    // SIGTERM and Ctrl-C: the agent hands its running targets back and logs its stop. Logback, configured
    // without a shutdown hook of its own, still writes while this hook runs.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        agent.stop().await();
      } finally {
        vertx.close().await();
      }
    }, "fleetjobs-shutdown"));
    printBanner(config, agent);
  }

  // stdout, not the log: the admin token is shown to the person who started the agent, and logged nowhere.
  private static void printBanner(AgentConfig config, Agent agent) {
    if (config.telemetry().logFormat() == LogFormat.JSON) {
      printJsonBanner(config, agent);
      return;
    }
    String base = "http://localhost:" + agent.httpPort();
    StringBuilder banner = new StringBuilder()
      .append("\nfleetjobs agent is running (tier ").append(agent.tier()).append(")\n")
      .append("  Dashboard:    ").append(base).append("/\n")
      .append("  API:          ").append(base).append("/api/v1  (contract: ").append(base)
      .append("/api/v1/openapi.yaml)\n")
      .append("  Job database: ").append(agent.jobDatabase().displayUrl())
      .append(config.embeddedDatabase() ? "  (embedded, data in " + config.dataDir() + ")" : "").append("\n");
    if (agent.firstAdminToken() != null && config.bootstrapAdminToken() == null) {
      banner.append("  Admin token:  ").append(agent.firstAdminToken())
        .append("\n                (shown once; only its hash is stored)\n");
    } else if (agent.firstAdminToken() != null) {
      banner.append("  Admin token:  the value of FLEETJOBS_BOOTSTRAP_ADMIN_TOKEN\n");
    }
    System.out.println(banner);
  }

  /** With JSON logs every line of stdout is a JSON object, the banner too, with the log's field names. */
  private static void printJsonBanner(AgentConfig config, Agent agent) {
    String base = "http://localhost:" + agent.httpPort();
    JsonObject banner = new JsonObject()
      .put("time", Instant.now().toString())
      .put("level", "INFO")
      .put("logger", Main.class.getName())
      .put("message", "fleetjobs agent is running (tier " + agent.tier() + ")")
      .put("dashboard", base + "/")
      .put("api", base + "/api/v1")
      .put("jobDatabase", agent.jobDatabase().displayUrl())
      .put("embeddedDataDir", config.embeddedDatabase() ? config.dataDir().toString() : null);
    if (agent.firstAdminToken() != null && config.bootstrapAdminToken() == null) {
      banner.put("adminToken", agent.firstAdminToken());
    }
    System.out.println(banner.encode());
  }
}
