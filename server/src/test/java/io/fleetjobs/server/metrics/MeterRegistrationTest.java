package io.fleetjobs.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.ApiClient;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** Main's Vert.x and registry, with an agent on them: no meter is registered twice. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MeterRegistrationTest {

  @Test
  void an_agent_on_vertx_metrics_registers_no_meter_twice() {
    // Micrometer warns about the first second registration in a JVM, and logs the later ones at debug level.
    Logger micrometer = (Logger) LoggerFactory.getLogger(MeterRegistry.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Level level = micrometer.getLevel();
    micrometer.setLevel(Level.DEBUG);
    micrometer.addAppender(logged);
    PrometheusMeterRegistry registry = PrometheusRegistry.create();
    Vertx vertx = MeteredVertx.create(registry);
    try {
      Agent agent = Agent.start(vertx, AgentConfig.fromJson(AgentFixture.config(TestPostgres.newJobDatabase("meters"))),
        Agent.Dependencies.of(registry)).await();
      try {
        // Each request on a connection of its own, so connections, requests and queries come and go.
        WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
        ApiClient api = new ApiClient(client, agent.httpPort(), AgentFixture.ADMIN_TOKEN);
        for (int i = 0; i < 3; i++) {
          assertEquals(200, api.raw(HttpMethod.GET, "/health/ready", null).statusCode());
          assertEquals(200, api.get("/me").statusCode());
          assertEquals(i == 0 ? 201 : 200, api.put("/targetGroups/metered", new JsonObject().put("members",
            new JsonArray().add(new JsonObject().put("type", "SqlDatabase").put("serverName", "h")
              .put("databaseName", "d" + i)))).statusCode());
        }
        String scraped = api.raw(HttpMethod.GET, "/metrics", null).bodyAsString();
        assertTrue(scraped.contains("fleetjobs_tier_capacity"), "the agent's meters");
        assertTrue(scraped.contains("vertx_http_server_requests_total"), "Vert.x's counters");
      } finally {
        agent.stop().await();
      }
    } finally {
      vertx.close().await();
      micrometer.detachAppender(logged);
      micrometer.setLevel(level);
    }
    List<String> twice = logged.list.stream()
      .map(ILoggingEvent::getFormattedMessage)
      .filter(message -> message.contains("already registered"))
      .toList();
    assertTrue(twice.isEmpty(), twice.size() + " registrations again, such as " + twice.stream().distinct().limit(5).toList());
  }
}
