package io.fleetjobs.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.ApiClient;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.fleetjobs.server.testsupport.WebhookReceiver;
import io.fleetjobs.server.testsupport.WebhookReceiver.Received;
import io.fleetjobs.server.testsupport.WebhookReceiver.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What an agent that stops leaves in the job database is finished by the next one: queued sends, alert state. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AlertRestartTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @Test
  void a_queued_notification_and_a_fired_alert_survive_a_restart(Vertx vertx) {
    try (TargetServer targets = TargetServer.start(); WebhookReceiver receiver = WebhookReceiver.start(vertx)) {
      targets.execute("postgres", "CREATE ROLE restart_job LOGIN PASSWORD 'job-secret' SUPERUSER");
      receiver.script("/restart", new Reply(503, null, 0), Reply.status(200));
      AgentConfig config = AgentConfig.fromJson(AgentFixture.config(TestPostgres.newJobDatabase("alerts_restart"))
        .put("webhookAllow", "127.0.0.1")
        .put("alertRetryDelays", "PT4S")
        .put("alertEvaluationTickMs", 200));

      Agent first = Agent.start(vertx, config).await();
      ApiClient api = ApiClient.create(vertx, first.httpPort(), AgentFixture.ADMIN_TOKEN);
      Scenario.on(api)
        .fleet(targets, "restart_a")
        .credential("job", "restart_job", "job-secret")
        .group("a", "restart_a")
        .job("failing")
        .step("s1", "SELECT 1/0")
        .retryAttempts(0)
        .create();
      api.put("/actionGroups/ops", new JsonObject().put("webhookReceivers", new JsonArray().add(new JsonObject()
        .put("name", "hook").put("serviceUri", receiver.url("/restart")))));
      assertEquals(201, api.put("/alertRules/restart-rule", new JsonObject()
        .put("criteria", new JsonObject().put("allOf", new JsonArray().add(new JsonObject()
          .put("metricName", "elastic_jobs_failed").put("operator", "GreaterThan").put("threshold", 0))))
        .put("windowSize", "PT3S").put("evaluationFrequency", "PT1S")
        .put("actions", new JsonArray().add("ops"))).statusCode());
      Executions executions = new Executions(api);
      executions.awaitEnd("failing", executions.start("failing"), PATIENCE);
      Received refused = receiver.await("/restart", got -> !got.isEmpty(), PATIENCE).get(0);
      first.stop().await();
      assertEquals(1, receiver.at("/restart").size(), "the retry was still queued when the agent stopped");

      Agent second = Agent.start(vertx, config).await();
      try {
        List<Received> got = receiver.await("/restart", list -> list.size() >= 3, PATIENCE);
        assertEquals(refused.headers().get("webhook-id"), got.get(1).headers().get("webhook-id"),
          "the queued retry, sent by the next agent");
        JsonObject fired = got.get(1).json().getJsonObject("data").getJsonObject("essentials");
        JsonObject resolved = got.get(2).json().getJsonObject("data").getJsonObject("essentials");
        assertEquals("Fired", fired.getString("monitorCondition"));
        assertEquals("Resolved", resolved.getString("monitorCondition"));
        assertEquals(fired.getString("alertId"), resolved.getString("alertId"),
          "the alert fired before the restart is the one resolved after it");
        JsonArray alerts = ApiClient.create(vertx, second.httpPort(), AgentFixture.ADMIN_TOKEN).get("/alerts")
          .bodyAsJsonObject().getJsonArray("value");
        assertEquals(1, alerts.size(), alerts.encode());
        assertTrue(receiver.at("/restart").size() == 3, "nothing was sent twice");
      } finally {
        second.stop().await();
      }
    }
  }
}
