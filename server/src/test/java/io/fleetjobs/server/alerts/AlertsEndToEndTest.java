package io.fleetjobs.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.fleetjobs.alerts.notify.WebhookSigner;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.WebhookReceiver;
import io.fleetjobs.server.testsupport.WebhookReceiver.Received;
import io.fleetjobs.server.testsupport.WebhookReceiver.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Alerts end to end: real failing jobs on real target databases, a real SMTP server (GreenMail) and a
 * real HTTP receiver. Windows are seconds long so a fire and its resolve fit in a test.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AlertsEndToEndTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static AgentFixture agent;
  private static TargetServer targets;
  private static Executions executions;
  private static Scenario scenario;
  private static WebhookReceiver receiver;
  private static GreenMail mail;

  @BeforeAll
  static void start(Vertx vertx) {
    targets = TargetServer.start();
    targets.execute("postgres", "CREATE ROLE alert_job LOGIN PASSWORD 'job-secret' SUPERUSER");
    mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    receiver = WebhookReceiver.start(vertx);
    agent = AgentFixture.start(vertx, "alerts_e2e", new JsonObject()
      .put("smtpHost", "127.0.0.1")
      .put("smtpPort", mail.getSmtp().getPort())
      .put("smtpStarttls", "DISABLED")
      .put("smtpFrom", "fleetjobs@example.test")
      .put("publicUrl", "http://fleetjobs.example.test")
      .put("webhookAllow", "127.0.0.1")
      .put("alertRetryDelays", "PT0.3S,PT0.3S,PT0.3S")
      .put("alertAttemptTimeoutSeconds", 2)
      .put("alertEvaluationTickMs", 200));
    executions = new Executions(agent.admin());
    scenario = Scenario.on(agent)
      .fleet(targets, "alert_a", "alert_b")
      .credential("job", "alert_job", "job-secret")
      .group("a", "alert_a")
      .group("both", "alert_a", "alert_b")
      .create();
  }

  @AfterAll
  static void stop() {
    agent.close();
    receiver.close();
    mail.stop();
    targets.close();
  }

  @Test
  void the_documented_recipe_fires_by_mail_and_webhook_then_resolves_in_the_same_thread() throws Exception {
    // The rule does not split, so another test's failure still inside its window would fire it first.
    awaitNoFailureWithin(Duration.ofSeconds(3));
    String secret = actionGroup("ops", "ops@example.test", "/recipe")
      .getJsonArray("webhookReceivers").getJsonObject(0).getString("secret");
    assertTrue(secret.startsWith("whsec_"), "a generated secret is shown once");
    assertNull(agent.admin().get("/actionGroups/ops").bodyAsJsonObject().getJsonArray("webhookReceivers")
      .getJsonObject(0).getString("secret"), "and never again");
    HttpResponse<Buffer> saved = agent.admin().put("/alertRules/failed-jobs", new JsonObject()
      .put("description", "Any failed execution")
      .put("criteria", new JsonObject().put("allOf", new JsonArray().add(new JsonObject()
        .put("metricName", "Elastic Jobs Executions Failed")
        .put("timeAggregation", "Total")
        .put("operator", "GreaterThan")
        .put("threshold", 0))))
      .put("windowSize", "PT3S")
      .put("evaluationFrequency", "PT1S")
      .put("actions", new JsonArray().add("ops")));
    assertEquals(201, saved.statusCode(), saved.bodyAsString());
    assertEquals("elastic_jobs_failed", saved.bodyAsJsonObject().getJsonObject("criteria").getJsonArray("allOf")
      .getJsonObject(0).getString("metricName"));

    failingJob("recipe_job", "a");
    String id = executions.start("recipe_job");
    JsonObject ended = executions.awaitEnd("recipe_job", id, PATIENCE);
    assertEquals("Failed", ended.getString("lifecycle"));

    Received fired = receiver.await("/recipe", got -> !got.isEmpty(), PATIENCE).get(0);
    JsonObject payload = fired.json();
    assertEquals("azureMonitorCommonAlertSchema", payload.getString("schemaId"));
    JsonObject essentials = payload.getJsonObject("data").getJsonObject("essentials");
    assertEquals("failed-jobs", essentials.getString("alertRule"));
    assertEquals("Sev3", essentials.getString("severity"));
    assertEquals("Metric", essentials.getString("signalType"));
    assertEquals("Fired", essentials.getString("monitorCondition"));
    assertEquals("Any failed execution", essentials.getString("description"));
    assertEquals("1.0", essentials.getString("essentialsVersion"));
    assertEquals("1.0", essentials.getString("alertContextVersion"));
    assertNotNull(essentials.getString("firedDateTime"));
    assertTrue(essentials.getJsonArray("alertTargetIDs").getString(0).contains("recipe_job"),
      essentials.encode());
    JsonObject condition = payload.getJsonObject("data").getJsonObject("alertContext").getJsonObject("condition");
    assertEquals("PT3S", condition.getString("windowSize"));
    JsonObject criterion = condition.getJsonArray("allOf").getJsonObject(0);
    assertEquals("elastic_jobs_failed", criterion.getString("metricName"));
    assertEquals("0", criterion.getString("threshold"), "the threshold is a string, as in Azure");
    assertEquals("Total", criterion.getString("timeAggregation"));
    // Other tests' failures may still be inside the three-second window; this job's is one of them.
    assertTrue(criterion.getDouble("metricValue") >= 1.0, criterion.encode());
    assertNotNull(condition.getString("windowStartTime"));
    JsonObject custom = payload.getJsonObject("data").getJsonObject("customProperties");
    assertEquals("recipe_job", custom.getString("latestJobName"));
    assertTrue(custom.getString("latestMessage").contains("division by zero"), custom.encode());
    assertEquals("http://fleetjobs.example.test/#/jobs/recipe_job/executions/" + id, custom.getString("executionUrl"));
    assertSigned(fired, secret);

    Received resolved = receiver.await("/recipe", got -> got.size() >= 2, PATIENCE).get(1);
    JsonObject resolvedEssentials = resolved.json().getJsonObject("data").getJsonObject("essentials");
    assertEquals("Resolved", resolvedEssentials.getString("monitorCondition"));
    assertEquals(essentials.getString("alertId"), resolvedEssentials.getString("alertId"));
    assertNotNull(resolvedEssentials.getString("resolvedDateTime"));
    assertNotEquals(fired.headers().get("webhook-id"), resolved.headers().get("webhook-id"));
    assertSigned(resolved, secret);
    // The failure counts for one window after it ended; then the condition must stay clear for another.
    Instant failedAt = Instant.parse(executions.targets("recipe_job", id).get(0).getString("endTime"));
    Duration untilResolved = Duration.between(failedAt, Instant.parse(resolvedEssentials.getString("resolvedDateTime")));
    assertTrue(untilResolved.compareTo(Duration.ofSeconds(6)) >= 0,
      "breached for a window, then clear for one: " + untilResolved);

    MimeMessage[] mails = awaitMail("ops@example.test", 2);
    MimeMessage firedMail = mails[0];
    MimeMessage resolvedMail = mails[1];
    assertTrue(firedMail.getSubject().matches("\\[Fired] Sev3 failed-jobs: elastic_jobs_failed Total \\d+ > 0 in PT3S .*"),
      firedMail.getSubject());
    assertTrue(firedMail.getSubject().contains("job recipe_job, step s1"), firedMail.getSubject());
    String text = (String) firedMail.getContent();
    assertTrue(text.contains("http://fleetjobs.example.test/#/jobs/recipe_job/executions/" + id), text);
    assertTrue(text.contains("alert_a"), text);
    assertTrue(resolvedMail.getSubject().startsWith("[Resolved]"), resolvedMail.getSubject());
    String threadRoot = firedMail.getHeader("Message-ID")[0];
    assertEquals(threadRoot, resolvedMail.getHeader("In-Reply-To")[0]);
    assertEquals(threadRoot, resolvedMail.getHeader("References")[0]);

    JsonArray alerts = agent.admin().get("/alerts?alertRule=failed-jobs").bodyAsJsonObject().getJsonArray("value");
    assertEquals(1, alerts.size(), alerts.encode());
    JsonObject alert = alerts.getJsonObject(0);
    assertEquals("Resolved", alert.getString("monitorCondition"));
    JsonArray log = agent.admin().get("/alerts/" + alert.getString("id") + "/notifications").bodyAsJsonObject()
      .getJsonArray("value");
    assertEquals(4, log.size(), "fired and resolved, to mail and webhook: " + log.encode());
    log.forEach(row -> {
      JsonObject notification = (JsonObject) row;
      assertEquals("Delivered", notification.getString("status"), notification.encode());
      JsonObject attempt = notification.getJsonArray("attemptLog").getJsonObject(0);
      assertEquals("Delivered", attempt.getString("outcome"));
      assertNotNull(attempt.getInteger("latencyMs"));
    });
    long breachToWebhookMs = (fired.arrivedNanos() - System.nanoTime()) / 1_000_000
      + Duration.between(Instant.parse(ended.getString("endTime")), Instant.now()).toMillis();
    System.out.println("[alerts] execution end to Fired webhook: about " + breachToWebhookMs + " ms");
    agent.admin().delete("/alertRules/failed-jobs");
  }

  @Test
  void a_rule_split_by_database_fires_one_alert_per_database() {
    actionGroup("split-group", null, "/split");
    assertCreated(agent.admin().put("/alertRules/per-database", rule("PT3S", new JsonArray().add(new JsonObject()
      .put("name", "targetDatabase").put("operator", "Include").put("values", new JsonArray().add("*"))),
      "split-group")));
    failingJob("split_job", "both");
    executions.awaitEnd("split_job", executions.start("split_job"), PATIENCE);

    List<Received> fired = receiver.await("/split", got -> got.size() >= 2, PATIENCE);
    List<String> databases = fired.stream()
      .map(r -> r.json().getJsonObject("data").getJsonObject("alertContext").getJsonObject("condition")
        .getJsonArray("allOf").getJsonObject(0).getJsonArray("dimensions").getJsonObject(0))
      .peek(d -> assertEquals("targetDatabase", d.getString("name")))
      .map(d -> d.getString("value"))
      .sorted()
      .toList();
    assertEquals(List.of("alert_a", "alert_b"), databases);
    agent.admin().delete("/alertRules/per-database");
  }

  @Test
  void failing_receivers_are_retried_with_one_webhook_id_dead_lettered_and_replayed_without_delaying_others() {
    receiver.script("/flaky", new Reply(503, "1", 0), Reply.status(503), Reply.status(200));
    receiver.script("/down", Reply.status(500));
    receiver.script("/gone", Reply.status(410));
    receiver.script("/slow", new Reply(200, null, 4000));
    JsonObject group = new JsonObject().put("webhookReceivers", new JsonArray()
      .add(webhook("flaky", "/flaky")).add(webhook("down", "/down")).add(webhook("gone", "/gone"))
      .add(webhook("slow", "/slow")).add(webhook("fast", "/fast")));
    assertCreated(agent.admin().put("/actionGroups/mixed", group));
    assertCreated(agent.admin().put("/alertRules/retry-rule", rule("PT30S", new JsonArray(), "mixed")));
    failingJob("retry_job", "a");
    executions.awaitEnd("retry_job", executions.start("retry_job"), PATIENCE);

    Received fast = receiver.await("/fast", got -> !got.isEmpty(), PATIENCE).get(0);
    Received slow = receiver.await("/slow", got -> !got.isEmpty(), PATIENCE).get(0);
    assertTrue(fast.arrivedNanos() - slow.arrivedNanos() < Duration.ofSeconds(2).toNanos(),
      "the fast receiver did not wait for the slow one");
    JsonObject timedOut = awaitNotification("slow", "DeadLettered");
    JsonObject firstAttempt = timedOut.getJsonArray("attemptLog").getJsonObject(0);
    assertEquals("Retry", firstAttempt.getString("outcome"));
    assertTrue(firstAttempt.getString("error").toLowerCase().contains("timeout"), firstAttempt.encode());
    assertTrue(firstAttempt.getInteger("latencyMs") < 3500, "an attempt is cut off at its timeout: " + firstAttempt);

    List<Received> flaky = receiver.await("/flaky", got -> got.size() >= 3, PATIENCE);
    assertEquals(1, flaky.stream().map(r -> r.headers().get("webhook-id")).distinct().count(),
      "every retry keeps the webhook-id");
    assertTrue(flaky.get(1).arrivedNanos() - flaky.get(0).arrivedNanos() >= Duration.ofMillis(900).toNanos(),
      "Retry-After: 1 was honoured");
    assertEquals(3, flaky.stream().map(r -> r.body()).filter(b -> b.equals(flaky.get(0).body())).count(),
      "the same bytes each time");

    List<Received> down = receiver.await("/down", got -> got.size() >= 4, PATIENCE);
    JsonObject deadLetter = awaitNotification("down", "DeadLettered");
    assertEquals(4, deadLetter.getInteger("attempts"));
    assertEquals(List.of("Retry", "Retry", "Retry", "Failed"), deadLetter.getJsonArray("attemptLog").stream()
      .map(a -> ((JsonObject) a).getString("outcome")).toList());
    assertEquals(500, deadLetter.getJsonArray("attemptLog").getJsonObject(0).getInteger("responseCode"));

    receiver.script("/down", Reply.status(204));
    HttpResponse<Buffer> replay = agent.as("operator").post("/alerts/notifications/" + deadLetter.getString("id")
      + "/replay", new JsonObject());
    assertEquals(202, replay.statusCode(), replay.bodyAsString());
    List<Received> replayed = receiver.await("/down", got -> got.size() >= 5, PATIENCE);
    assertEquals(down.get(0).headers().get("webhook-id"), replayed.get(4).headers().get("webhook-id"));
    assertEquals("Delivered", awaitNotification("down", "Delivered").getString("status"));

    assertEquals("ReceiverDisabled", awaitNotification("gone", "ReceiverDisabled").getString("status"));
    JsonObject gone = agent.admin().get("/actionGroups/mixed").bodyAsJsonObject().getJsonArray("webhookReceivers")
      .getJsonObject(2);
    assertEquals(true, gone.getBoolean("disabled"), gone.encode());
    assertEquals(1, receiver.at("/gone").size(), "a 410 is not retried");
    agent.admin().delete("/alertRules/retry-rule");
  }

  @Test
  void a_test_send_goes_through_delivery_and_reports_each_receiver() throws Exception {
    actionGroup("tested", "tested@example.test", "/tested");
    HttpResponse<Buffer> tested = agent.as("operator").post("/actionGroups/tested/test", new JsonObject());
    assertEquals(200, tested.statusCode(), tested.bodyAsString());
    JsonArray results = tested.bodyAsJsonObject().getJsonArray("results");
    assertEquals(2, results.size(), results.encode());
    results.forEach(r -> {
      JsonObject result = (JsonObject) r;
      assertEquals("Delivered", result.getString("status"), result.encode());
      assertNotNull(result.getLong("latencyMs"));
    });
    assertEquals(200, results.stream().map(JsonObject.class::cast)
      .filter(r -> r.getString("kind").equals("webhook")).findFirst().orElseThrow().getInteger("responseCode"));
    Received got = receiver.await("/tested", list -> !list.isEmpty(), PATIENCE).get(0);
    assertEquals("true", got.json().getJsonObject("data").getJsonObject("customProperties").getString("test"));
    assertTrue(awaitMail("tested@example.test", 1)[0].getSubject().startsWith("[Test]"));
    assertEquals(404, agent.as("operator").post("/actionGroups/nobody/test", new JsonObject()).statusCode());
    assertEquals(403, agent.as("reader").post("/actionGroups/tested/test", new JsonObject()).statusCode());
  }

  @Test
  void webhooks_to_internal_addresses_are_refused_and_nothing_is_stored() {
    for (String uri : List.of("http://169.254.169.254/latest", "http://10.1.2.3/hook", "http://[::1]:9/x")) {
      HttpResponse<Buffer> refused = agent.admin().put("/actionGroups/internal", new JsonObject()
        .put("webhookReceivers", new JsonArray().add(new JsonObject().put("name", "x").put("serviceUri", uri))));
      assertEquals(400, refused.statusCode(), uri + ": " + refused.bodyAsString());
      assertEquals("webhookReceivers[0].serviceUri", refused.bodyAsJsonObject().getJsonObject("error")
        .getString("target"));
    }
    assertEquals(404, agent.admin().get("/actionGroups/internal").statusCode());
  }

  @Test
  void bad_rules_get_a_400_naming_the_field_and_change_nothing() {
    JsonObject good = rule("PT1M", new JsonArray());
    List<Object[]> cases = List.of(
      new Object[] {good.copy().put("windowSize", "five minutes"), "windowSize"},
      new Object[] {good.copy().put("severity", 7), "severity"},
      new Object[] {good.copy().put("actions", new JsonArray().add("no-such-group")), "actions[0]"},
      new Object[] {withCriterion(good, "metricName", "cpu_percent"), "criteria.allOf[0].metricName"},
      new Object[] {withCriterion(good, "threshold", "zero"), "criteria.allOf[0].threshold"},
      new Object[] {withCriterion(good, "operator", "Bigger"), "criteria.allOf[0].operator"},
      new Object[] {good.copy().put("evaluationFrequency", "PT10M").put("windowSize", "PT1M"), "evaluationFrequency"},
      new Object[] {good.copy().put("unknownField", 1), "unknownField"});
    for (Object[] c : cases) {
      HttpResponse<Buffer> response = agent.admin().put("/alertRules/bad-rule", (JsonObject) c[0]);
      assertEquals(400, response.statusCode(), response.bodyAsString());
      String target = response.bodyAsJsonObject().getJsonObject("error").getString("target");
      assertTrue(target != null && target.contains((String) c[1]), c[1] + " named in " + response.bodyAsString());
    }
    assertEquals(404, agent.admin().get("/alertRules/bad-rule").statusCode());
    assertEquals(400, agent.admin().put("/alertRules/bad%01name", good).statusCode());
  }

  @Test
  void a_drop_processing_rule_suppresses_and_a_defer_rule_sends_one_summary_when_its_window_closes() {
    actionGroup("maintenance", null, "/maintenance");
    assertCreated(agent.admin().put("/alertProcessingRules/drop-all", new JsonObject()
      .put("mode", "Drop")
      .put("conditions", new JsonArray().add(new JsonObject().put("field", "AlertRuleName").put("operator", "Equals")
        .put("values", new JsonArray().add("dropped-rule"))))));
    assertEquals(201, agent.admin().put("/alertRules/dropped-rule", rule("PT30S", new JsonArray(), "maintenance"))
      .statusCode());
    failingJob("dropped_job", "a");
    executions.awaitEnd("dropped_job", executions.start("dropped_job"), PATIENCE);
    JsonObject suppressed = awaitNotification("hook", "Suppressed");
    assertEquals("drop-all", suppressed.getString("suppressedBy"));
    agent.admin().delete("/alertRules/dropped-rule");

    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).withNano(0);
    assertCreated(agent.admin().put("/alertProcessingRules/patch-window", new JsonObject()
      .put("mode", "Defer")
      .put("conditions", new JsonArray().add(new JsonObject().put("field", "AlertRuleName").put("operator", "Equals")
        .put("values", new JsonArray().add("deferred-rule"))))
      .put("schedule", new JsonObject()
        .put("effectiveFrom", now.minusMinutes(1).toString())
        .put("effectiveUntil", now.plusSeconds(6).toString())
        .put("timeZone", "UTC"))));
    assertEquals(201, agent.admin().put("/alertRules/deferred-rule", rule("PT60S", new JsonArray(), "maintenance"))
      .statusCode());
    failingJob("deferred_job", "a");
    executions.awaitEnd("deferred_job", executions.start("deferred_job"), PATIENCE);
    JsonObject deferred = awaitNotification("hook", "Deferred");
    assertEquals("patch-window", deferred.getString("suppressedBy"));
    assertTrue(receiver.at("/maintenance").isEmpty(), "nothing is sent while the window is open");

    Received summary = receiver.await("/maintenance", got -> !got.isEmpty(), PATIENCE).get(0);
    JsonObject custom = summary.json().getJsonObject("data").getJsonObject("customProperties");
    assertEquals("true", custom.getString("deferred"), custom.encode());
    assertEquals("1", custom.getString("heldNotifications"));
    assertTrue(Instant.now().isAfter(now.plusSeconds(6).toInstant(ZoneOffset.UTC)), "sent after the window closed");
    assertEquals("Summarized", awaitNotification("hook", "Summarized").getString("status"));
    Executions.sleep(1500);
    assertEquals(1, receiver.at("/maintenance").size(), "a single summary");
    agent.admin().delete("/alertRules/deferred-rule");
  }

  @Test
  void a_notification_left_mid_delivery_by_a_killed_agent_is_delivered_with_the_same_webhook_id() throws Exception {
    receiver.script("/orphan", Reply.status(500));
    actionGroup("orphans", null, "/orphan");
    assertEquals(201, agent.admin().put("/alertRules/orphan-rule", rule("PT30S", new JsonArray(), "orphans"))
      .statusCode());
    failingJob("orphan_job", "a");
    executions.awaitEnd("orphan_job", executions.start("orphan_job"), PATIENCE);
    receiver.await("/orphan", got -> got.size() >= 4, PATIENCE);
    JsonObject dead = awaitNotification("hook", "DeadLettered");
    agent.admin().delete("/alertRules/orphan-rule");

    // The row as an agent killed during an attempt leaves it: claimed, leased to it, its lease run out.
    receiver.script("/orphan", Reply.status(200));
    try (Connection db = agent.jdbc(); Statement sql = db.createStatement()) {
      assertEquals(1, sql.executeUpdate("UPDATE alerts.notifications SET status = 'Delivering', claim = claim + 1, "
        + "lease_owner = 'killed-agent', lease_until = now() - interval '1 second' WHERE notification_id = '"
        + dead.getString("id") + "'"));
    }
    List<Received> got = receiver.await("/orphan", list -> list.size() >= 5, PATIENCE);
    assertEquals(dead.getString("webhookId"), got.get(4).headers().get("webhook-id"));
    assertEquals(dead.getString("webhookId"), got.get(0).headers().get("webhook-id"));
  }

  private static void awaitNoFailureWithin(Duration window) throws Exception {
    try (Connection db = agent.jdbc(); Statement sql = db.createStatement();
         ResultSet latest = sql.executeQuery("SELECT coalesce(extract(epoch FROM max(end_time)), 0) * 1000 "
           + "FROM jobs_internal.target_executions WHERE lifecycle IN ('Failed', 'TimedOut')")) {
      latest.next();
      long quietAt = (long) latest.getDouble(1) + window.toMillis() + 500;
      Executions.sleep(Math.max(0, quietAt - System.currentTimeMillis()));
    }
  }

  private static void assertCreated(HttpResponse<Buffer> response) {
    assertEquals(201, response.statusCode(), response.bodyAsString());
  }

  private static JsonObject withCriterion(JsonObject rule, String key, Object value) {
    JsonObject copy = rule.copy();
    copy.getJsonObject("criteria").getJsonArray("allOf").getJsonObject(0).put(key, value);
    return copy;
  }

  private static JsonObject awaitNotification(String receiverName, String status) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      for (Object row : agent.admin().get("/alerts/notifications?$top=1000").bodyAsJsonObject().getJsonArray("value")) {
        JsonObject n = (JsonObject) row;
        if (n.getString("receiver").equals(receiverName) && n.getString("status").equals(status)) {
          return n;
        }
      }
      Executions.sleep(100);
    }
    throw new AssertionError("No notification to " + receiverName + " became " + status);
  }

  private static MimeMessage[] awaitMail(String to, int count) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      MimeMessage[] mine = Arrays.stream(mail.getReceivedMessages())
        .filter(m -> {
          try {
            return m.getAllRecipients()[0].toString().equals(to);
          } catch (Exception e) {
            return false;
          }
        })
        .toArray(MimeMessage[]::new);
      if (mine.length >= count) {
        return mine;
      }
      Executions.sleep(100);
    }
    throw new AssertionError("Fewer than " + count + " mails reached " + to);
  }

  private static void assertSigned(Received request, String secret) {
    String id = request.headers().get("webhook-id");
    long timestamp = Long.parseLong(request.headers().get("webhook-timestamp"));
    assertTrue(Math.abs(Instant.now().getEpochSecond() - timestamp) < 60);
    assertEquals(WebhookSigner.sign(secret, id, timestamp, request.body().getBytes(StandardCharsets.UTF_8)),
      request.headers().get("webhook-signature"));
  }

  private static JsonObject actionGroup(String name, String email, String path) {
    JsonObject group = new JsonObject().put("webhookReceivers", new JsonArray().add(webhook("hook", path)));
    if (email != null) {
      group.put("emailReceivers", new JsonArray().add(new JsonObject().put("name", "mail").put("emailAddress", email)));
    }
    HttpResponse<Buffer> saved = agent.admin().put("/actionGroups/" + name, group);
    assertEquals(201, saved.statusCode(), saved.bodyAsString());
    return saved.bodyAsJsonObject();
  }

  private static JsonObject webhook(String name, String path) {
    return new JsonObject().put("name", name).put("serviceUri", receiver.url(path));
  }

  private static JsonObject rule(String window, JsonArray dimensions, String... actions) {
    return new JsonObject()
      .put("criteria", new JsonObject().put("allOf", new JsonArray().add(new JsonObject()
        .put("metricName", "elastic_jobs_failed")
        .put("dimensions", dimensions)
        .put("operator", "GreaterThan")
        .put("threshold", 0))))
      .put("windowSize", window)
      .put("evaluationFrequency", "PT1S")
      .put("actions", new JsonArray(List.of(actions)));
  }

  private static void failingJob(String name, String group) {
    scenario.job(name)
      .targetGroup(group)
      .step("s1", "SELECT 1/0")
      .retryAttempts(0)
      .create();
  }
}
