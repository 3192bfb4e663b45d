package io.fleetjobs.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.WebhookReceiver;
import io.fleetjobs.server.testsupport.WebhookReceiver.Received;
import io.fleetjobs.server.testsupport.WebhookReceiver.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A burst of alerts that all go to one webhook, as a fleet-wide failure sends them: one failing target, and many
 * rules that each fire on it. The receiver answers slowly, so the attempts overlap.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AlertBurstTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final int RULES = 40;
  /** NotificationDeliveryVerticle's per-address cap. */
  private static final int PER_ADDRESS_IN_FLIGHT = 16;
  /** The HTTP client's own default connections per server, which used to queue every attempt beyond it. */
  private static final int CLIENT_DEFAULT_CONNECTIONS = 5;

  @Test
  void a_burst_to_one_webhook_keeps_its_in_flight_cap_and_each_notification_arrives_once(Vertx vertx) {
    try (TargetServer targets = TargetServer.start(); WebhookReceiver receiver = WebhookReceiver.start(vertx);
         AgentFixture agent = AgentFixture.start(vertx, "alerts_burst", new JsonObject()
           .put("webhookAllow", "127.0.0.1")
           .put("alertEvaluationTickMs", 200))) {
      targets.execute("postgres", "CREATE ROLE burst_job LOGIN PASSWORD 'job-secret' SUPERUSER");
      receiver.script("/burst", new Reply(200, null, 1000));
      Scenario.on(agent)
        .fleet(targets, "burst_a")
        .credential("job", "burst_job", "job-secret")
        .group("a", "burst_a")
        .job("failing")
        .step("s1", "SELECT 1/0")
        .retryAttempts(0)
        .create();
      agent.admin().put("/actionGroups/burst", new JsonObject().put("webhookReceivers", new JsonArray()
        .add(new JsonObject().put("name", "hook").put("serviceUri", receiver.url("/burst")))));
      for (int i = 0; i < RULES; i++) {
        assertEquals(201, agent.admin().put("/alertRules/burst-" + i, new JsonObject()
          .put("criteria", new JsonObject().put("allOf", new JsonArray().add(new JsonObject()
            .put("metricName", "elastic_jobs_failed").put("operator", "GreaterThan").put("threshold", 0))))
          .put("windowSize", "PT1M").put("evaluationFrequency", "PT1M")
          .put("actions", new JsonArray().add("burst"))).statusCode());
      }

      Executions executions = new Executions(agent.admin());
      executions.awaitEnd("failing", executions.start("failing"), PATIENCE);
      List<Received> got = receiver.await("/burst", list -> list.size() >= RULES, PATIENCE);
      Executions.sleep(1500);

      Set<String> ids = new HashSet<>();
      got.forEach(request -> ids.add(request.headers().get("webhook-id")));
      assertEquals(RULES, receiver.at("/burst").size(), "one request per alert, none sent twice");
      assertEquals(RULES, ids.size(), "each with its own webhook-id");
      int most = receiver.mostInFlight("/burst");
      assertTrue(most <= PER_ADDRESS_IN_FLIGHT, "at most the cap in flight to one receiver, was " + most);
      assertTrue(most > CLIENT_DEFAULT_CONNECTIONS, "more in flight than the client's default pool, was " + most);
      int delivered = 0;
      for (Object listed : agent.admin().get("/alerts/notifications?$top=1000").bodyAsJsonObject()
        .getJsonArray("value")) {
        JsonObject row = (JsonObject) listed;
        if (ids.contains(row.getString("webhookId"))) {
          delivered++;
          assertEquals("Delivered", row.getString("status"), row.encode());
          assertEquals(1, row.getInteger("attempts"), "each attempt recorded once, in its batch: " + row.encode());
        }
      }
      assertEquals(RULES, delivered, "every request is recorded as its notification's delivery");
    }
  }
}
