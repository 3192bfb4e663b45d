package io.fleetjobs.server.jobs.notices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.ChatWebhookReceiver;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Execution notifications end to end: real jobs on real target databases end, fail, pause and dry-run; the job
 * database queues the notices; they reach a real webhook receiver and a real receiver that checks Slack's and
 * Teams' formats as those services document them.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ExecutionNotificationsTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final String PUBLIC_URL = "http://fleetjobs.example.test";
  private static final String MASTER_KEY = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32));
  private static AgentFixture agent;
  private static TargetServer targets;
  private static Executions executions;
  private static Scenario scenario;
  private static WebhookReceiver webhooks;
  private static ChatWebhookReceiver chats;

  @BeforeAll
  static void start(Vertx vertx) {
    targets = TargetServer.start();
    targets.execute("postgres", "CREATE ROLE notice_job LOGIN PASSWORD 'job-secret' SUPERUSER");
    webhooks = WebhookReceiver.start(vertx);
    chats = ChatWebhookReceiver.start(vertx);
    agent = AgentFixture.start(vertx, "notices_e2e", overrides());
    executions = new Executions(agent.admin());
    scenario = Scenario.on(agent)
      .fleet(targets, "notice_a", "notice_b", "notice_c")
      .credential("job", "notice_job", "job-secret")
      .group("three", "notice_a", "notice_b", "notice_c")
      .create();
    // Only notice_a has the table, so a step that reads it fails on the two others with the same cause.
    targets.execute("notice_a", "CREATE TABLE marker (id integer)");
  }

  private static JsonObject overrides() {
    return new JsonObject()
      .put("masterKey", MASTER_KEY)
      .put("publicUrl", PUBLIC_URL)
      .put("webhookAllow", "127.0.0.1")
      .put("alertRetryDelays", "PT0.3S,PT0.3S")
      .put("alertAttemptTimeoutSeconds", 2)
      .put("alertEvaluationTickMs", 200);
  }

  @AfterAll
  static void stop() {
    agent.close();
    webhooks.close();
    chats.close();
    targets.close();
  }

  @Test
  void a_failed_run_tells_webhook_slack_and_teams_once_with_counts_failure_groups_duration_and_links() {
    scenario.job("marker_job").targetGroup("three").step("read", "SELECT count(*) FROM marker").retryAttempts(0)
      .create();
    actionGroup("run-ends", "/hooks/failed", "/slack/failed", "/teams/failed");
    assertEquals(201, notification("failed-runs", List.of("marker_job"), List.of("Failed"), "run-ends").statusCode());

    String id = executions.start("marker_job");
    assertEquals("Failed", executions.awaitEnd("marker_job", id, PATIENCE).getString("lifecycle"));

    JsonObject hook = webhooks.await("/hooks/failed", got -> !got.isEmpty(), PATIENCE).get(0).json();
    assertEquals("execution.ended", hook.getString("type"));
    JsonObject data = hook.getJsonObject("data");
    assertEquals(id, data.getString("jobExecutionId"));
    assertEquals("marker_job", data.getString("jobName"));
    assertEquals(1, data.getInteger("jobVersion"));
    assertEquals("Failed", data.getString("lifecycle"));
    assertFalse(data.getBoolean("dryRun"));
    assertEquals(new JsonObject().put("Failed", 2).put("Succeeded", 1), data.getJsonObject("counts"));
    JsonObject top = data.getJsonArray("failureGroups").getJsonObject(0);
    assertEquals(2, top.getInteger("count"), data.encodePrettily());
    assertEquals("42P01", top.getString("errorCode"), data.encodePrettily());
    assertTrue(top.getString("cause").contains("relation \"marker\" does not exist"), top.encode());
    assertEquals(1, data.getJsonArray("failureGroups").size(), "the same cause on two databases is one group");
    assertTrue(Duration.parse(data.getString("duration")).toMillis() > 0, data.getString("duration"));
    String execution = PUBLIC_URL + "/#/jobs/marker_job/executions/" + id;
    assertEquals(execution, data.getJsonObject("links").getString("execution"));
    String failedTargets = execution + "?lifecycle=Failed,TimedOut";
    assertEquals(failedTargets, data.getJsonObject("links").getString("failedTargets"),
      "the execution page reads ?lifecycle= into its filter chips");

    ChatWebhookReceiver.Received slack = chats.await("/slack/failed", got -> !got.isEmpty(), PATIENCE).get(0);
    assertEquals(List.of(), slack.problems(), slack.body());
    String slackText = slack.body();
    assertTrue(slack.json().getString("text").contains("marker_job"), slack.body());
    assertTrue(slackText.contains("42P01") && slackText.contains(execution), slackText);
    assertTrue(slackText.contains("<" + failedTargets + "|Failed targets>"), slackText);
    ChatWebhookReceiver.Received teams = chats.await("/teams/failed", got -> !got.isEmpty(), PATIENCE).get(0);
    assertEquals(List.of(), teams.problems(), teams.body());
    assertTrue(teams.body().contains("marker_job") && teams.body().contains("42P01"), teams.body());

    // Delivered once each, logged against the execution, with the Slack URL shown by its host only.
    List<JsonObject> logged = awaitLogged(id, 3, "Delivered");
    assertEquals(List.of("failed-runs"), logged.stream().map(n -> n.getString("executionNotification")).distinct()
      .toList());
    JsonObject slackRow = logged.stream().filter(n -> n.getString("kind").equals("slack")).findFirst().orElseThrow();
    assertFalse(slackRow.getString("address").contains("/slack/failed"), slackRow.encode());
    Executions.sleep(1500);
    assertEquals(1, webhooks.at("/hooks/failed").size());
    assertEquals(1, chats.at("/slack/failed").size());
    assertEquals(1, chats.at("/teams/failed").size());
  }

  @Test
  void an_end_state_not_asked_for_and_another_job_notify_nobody() {
    scenario.job("quiet_job").targetGroup("three").step("ok", "SELECT 1").create();
    scenario.job("other_job").targetGroup("three").step("fails", "SELECT 1/0").retryAttempts(0).create();
    actionGroup("quiet", "/hooks/quiet", null, null);
    assertEquals(201, notification("quiet-failures", List.of("quiet_job"), List.of("Failed"), "quiet").statusCode());
    executions.awaitEnd("quiet_job", executions.start("quiet_job"), PATIENCE);
    executions.awaitEnd("other_job", executions.start("other_job"), PATIENCE);
    Executions.sleep(1500);
    assertTrue(webhooks.at("/hooks/quiet").isEmpty(), "a success and another job's failure are not asked for");
  }

  @Test
  void a_rollout_paused_at_a_manual_gate_notifies_paused() {
    scenario.job("gated_job").targetGroup("three").step("s1", "SELECT 1").create();
    HttpResponse<Buffer> step = agent.admin().put("/jobs/gated_job/steps/s1", new JsonObject()
      .put("targetGroup", "three").put("credential", "job")
      .put("action", new JsonObject().put("value", "SELECT 1"))
      .put("rollout", new JsonObject().put("waves", new JsonArray().add(1).add("100%")).put("betweenWaves", "Manual")));
    assertTrue(step.statusCode() < 300, step.bodyAsString());
    actionGroup("pauses", "/hooks/paused", "/slack/paused", null);
    assertEquals(201, notification("paused-runs", List.of("*"), List.of("Paused"), "pauses").statusCode());

    String id = executions.start("gated_job");
    executions.awaitExecution("gated_job", id, e -> e.getString("lifecycle").equals("Paused"), PATIENCE);
    JsonObject hook = webhooks.await("/hooks/paused", got -> !got.isEmpty(), PATIENCE).get(0).json();
    assertEquals("execution.paused", hook.getString("type"));
    assertEquals("Paused", hook.getJsonObject("data").getString("lifecycle"));
    assertEquals(new JsonObject().put("Created", 2).put("Succeeded", 1), hook.getJsonObject("data")
      .getJsonObject("counts"));
    ChatWebhookReceiver.Received slack = chats.await("/slack/paused", got -> !got.isEmpty(), PATIENCE).get(0);
    assertEquals(List.of(), slack.problems(), slack.body());
    assertTrue(slack.json().getString("text").contains("paused"), slack.body());
    agent.admin().post("/jobs/gated_job/executions/" + id + "/abort", new JsonObject());
  }

  @Test
  void a_dry_run_notifies_and_says_dry_run() {
    scenario.job("dry_job").targetGroup("three").step("s1", "UPDATE marker SET id = 1").retryAttempts(0).create();
    actionGroup("dry", "/hooks/dry", "/slack/dry", "/teams/dry");
    assertEquals(201, notification("dry-runs", List.of("dry_job"), List.of("Succeeded", "Failed"), "dry")
      .statusCode());
    HttpResponse<Buffer> started = agent.as("operator").post("/jobs/dry_job/start", new JsonObject().put("dryRun", true));
    assertEquals(202, started.statusCode(), started.bodyAsString());
    String id = started.bodyAsJsonObject().getString("jobExecutionId");
    assertTrue(executions.awaitEnd("dry_job", id, PATIENCE).getBoolean("dryRun"));
    JsonObject data = webhooks.await("/hooks/dry", got -> !got.isEmpty(), PATIENCE).get(0).json().getJsonObject("data");
    assertTrue(data.getBoolean("dryRun"), data.encode());
    ChatWebhookReceiver.Received slack = chats.await("/slack/dry", got -> !got.isEmpty(), PATIENCE).get(0);
    assertEquals(List.of(), slack.problems(), slack.body());
    assertTrue(slack.json().getString("text").contains("Dry run"), slack.body());
    ChatWebhookReceiver.Received teams = chats.await("/teams/dry", got -> !got.isEmpty(), PATIENCE).get(0);
    assertEquals(List.of(), teams.problems(), teams.body());
    assertTrue(teams.body().contains("Dry run"), teams.body());
  }

  @Test
  void bad_input_gets_a_400_naming_the_field_and_nothing_is_stored() {
    actionGroup("exists", "/hooks/exists", null, null);
    scenario.job("known_job").targetGroup("three").step("s1", "SELECT 1").create();
    List<Object[]> cases = List.of(
      new Object[] {body(List.of("known_job"), List.of("Failed"), "no-such-group"), "actionGroups[0]",
        "UnknownReference"},
      new Object[] {body(List.of("no_such_job"), List.of("Failed"), "exists"), "jobs[0]", "UnknownReference"},
      new Object[] {body(List.of("known_job"), List.of("Exploded"), "exists"), "endStates[0]", null},
      new Object[] {body(List.of(), List.of("Failed"), "exists"), "jobs", null},
      new Object[] {body(List.of("*", "known_job"), List.of("Failed"), "exists"), "jobs", null},
      new Object[] {body(List.of("known_job"), List.of(), "exists"), "endStates", null},
      new Object[] {body(List.of("known_job"), List.of("Failed")), "actionGroups", null},
      new Object[] {body(List.of("known_job"), List.of("Failed"), "exists").put("color", "red"), "color", null});
    for (Object[] c : cases) {
      HttpResponse<Buffer> refused = agent.admin().put("/executionNotifications/bad", (JsonObject) c[0]);
      assertEquals(400, refused.statusCode(), refused.bodyAsString());
      JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
      assertTrue(error.getString("target") != null && error.getString("target").contains((String) c[1]),
        c[1] + " named in " + refused.bodyAsString());
      if (c[2] != null) {
        assertEquals(c[2], error.getString("code"), refused.bodyAsString());
      }
    }
    assertEquals(404, agent.admin().get("/executionNotifications/bad").statusCode());
  }

  @Test
  void readers_read_and_only_admins_change_execution_notifications() {
    actionGroup("roles", "/hooks/roles", null, null);
    assertEquals(201, notification("by-admin", List.of("*"), List.of("Failed", "TimedOut"), "roles").statusCode());
    JsonObject read = agent.as("reader").get("/executionNotifications/by-admin").bodyAsJsonObject();
    assertEquals(new JsonArray().add("*"), read.getJsonArray("jobs"));
    assertEquals(new JsonArray().add("Failed").add("TimedOut"), read.getJsonArray("endStates"));
    assertTrue(agent.as("reader").get("/executionNotifications").bodyAsJsonObject().getJsonArray("value").stream()
      .anyMatch(n -> ((JsonObject) n).getString("name").equals("by-admin")));
    JsonObject change = body(List.of("*"), List.of("Failed"), "roles");
    assertEquals(403, agent.as("reader").put("/executionNotifications/by-admin", change).statusCode());
    assertEquals(403, agent.as("operator").put("/executionNotifications/by-admin", change).statusCode());
    assertEquals(403, agent.as("operator").delete("/executionNotifications/by-admin").statusCode());
    assertEquals(200, agent.admin().put("/executionNotifications/by-admin", change).statusCode());

    HttpResponse<Buffer> inUse = agent.admin().delete("/actionGroups/roles");
    assertEquals(409, inUse.statusCode(), inUse.bodyAsString());
    assertTrue(inUse.bodyAsString().contains("by-admin"), inUse.bodyAsString());
    assertEquals(204, agent.admin().delete("/executionNotifications/by-admin").statusCode());
    assertEquals(404, agent.admin().delete("/executionNotifications/by-admin").statusCode());
    assertEquals(204, agent.admin().delete("/actionGroups/roles").statusCode());
  }

  @Test
  void slack_and_teams_receivers_to_internal_addresses_are_refused_like_webhooks() {
    for (String kind : List.of("slack", "teams")) {
      for (String url : List.of("http://169.254.169.254/latest", "http://10.1.2.3/hook", "http://[::1]:9/x")) {
        HttpResponse<Buffer> refused = agent.admin().put("/actionGroups/internal-chat", new JsonObject()
          .put(kind + "Receivers", new JsonArray().add(new JsonObject().put("name", "x").put("webhookUrl", url))));
        assertEquals(400, refused.statusCode(), url + ": " + refused.bodyAsString());
        assertEquals(kind + "Receivers[0].webhookUrl", refused.bodyAsJsonObject().getJsonObject("error")
          .getString("target"));
      }
    }
    assertEquals(404, agent.admin().get("/actionGroups/internal-chat").statusCode());
  }

  @Test
  void chat_urls_are_write_only_and_an_edit_without_one_keeps_it() {
    actionGroup("chat-secrets", null, "/slack/secret-path-token", "/teams/secret-path-token");
    for (String role : List.of("reader", "admin")) {
      String shown = (role.equals("admin") ? agent.admin() : agent.as(role)).get("/actionGroups/chat-secrets")
        .bodyAsString();
      assertFalse(shown.contains("secret-path-token"), role + " sees " + shown);
      assertTrue(shown.contains("\"webhookUrlSet\":true"), shown);
    }
    HttpResponse<Buffer> kept = agent.admin().put("/actionGroups/chat-secrets", new JsonObject()
      .put("slackReceivers", new JsonArray().add(new JsonObject().put("name", "slack")))
      .put("teamsReceivers", new JsonArray().add(new JsonObject().put("name", "teams"))));
    assertEquals(200, kept.statusCode(), kept.bodyAsString());
    HttpResponse<Buffer> missing = agent.admin().put("/actionGroups/chat-secrets", new JsonObject()
      .put("slackReceivers", new JsonArray().add(new JsonObject().put("name", "new-slack"))));
    assertEquals(400, missing.statusCode(), missing.bodyAsString());
    assertEquals("slackReceivers[0].webhookUrl", missing.bodyAsJsonObject().getJsonObject("error").getString("target"));

    // The test button goes through the real delivery path: both reach the kept URLs, in their own formats.
    HttpResponse<Buffer> tested = agent.as("operator").post("/actionGroups/chat-secrets/test", new JsonObject());
    assertEquals(200, tested.statusCode(), tested.bodyAsString());
    tested.bodyAsJsonObject().getJsonArray("results").forEach(r ->
      assertEquals("Delivered", ((JsonObject) r).getString("status"), ((JsonObject) r).encode()));
    ChatWebhookReceiver.Received slack = chats.await("/slack/secret-path-token", got -> !got.isEmpty(), PATIENCE)
      .get(0);
    assertEquals(List.of(), slack.problems(), slack.body());
    assertTrue(slack.json().getString("text").startsWith("[Test]"), slack.body());
    ChatWebhookReceiver.Received teams = chats.await("/teams/secret-path-token", got -> !got.isEmpty(), PATIENCE)
      .get(0);
    assertEquals(List.of(), teams.problems(), teams.body());
  }

  @Test
  void two_agents_on_one_job_database_send_each_notice_once() throws Exception {
    // A job each, since runs of one job that overlap skip each other's targets and do not fail.
    List<String> jobs = List.of(Scenario.numbered("shared_job_", 6));
    jobs.forEach(job -> scenario.job(job).targetGroup("three").step("fails", "SELECT 1/0").retryAttempts(0).create());
    actionGroup("shared", "/hooks/shared", "/slack/shared", null);
    assertEquals(201, notification("shared-runs", jobs, List.of("Failed"), "shared").statusCode());
    Agent second = Agent.start(agent.vertx(), AgentConfig.fromJson(AgentFixture.config(agent.database())
      .mergeIn(overrides()))).await();
    try {
      List<String> ids = new ArrayList<>();
      jobs.forEach(job -> ids.add(executions.start(job)));
      for (int i = 0; i < ids.size(); i++) {
        assertEquals("Failed", executions.awaitEnd(jobs.get(i), ids.get(i), PATIENCE).getString("lifecycle"));
      }
      webhooks.await("/hooks/shared", got -> got.size() >= ids.size(), PATIENCE);
      chats.await("/slack/shared", got -> got.size() >= ids.size(), PATIENCE);
      Executions.sleep(2000);
      assertEquals(ids.stream().sorted().toList(), webhooks.at("/hooks/shared").stream()
        .map(r -> r.json().getJsonObject("data").getString("jobExecutionId")).sorted().toList(),
        "one webhook per execution, whichever agent queued it");
      assertEquals(ids.size(), chats.at("/slack/shared").size());
      try (Connection db = agent.jdbc(); Statement sql = db.createStatement();
           ResultSet due = sql.executeQuery("SELECT count(*) FILTER (WHERE enqueued_at IS NULL), count(*) "
             + "FROM jobs_internal.execution_notices WHERE notification_name = 'shared-runs'")) {
        due.next();
        assertEquals(0, due.getInt(1));
        assertEquals(ids.size(), due.getInt(2));
      }
    } finally {
      second.stop().await();
    }
  }

  private static List<JsonObject> awaitLogged(String executionId, int count, String status) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    List<JsonObject> mine = List.of();
    while (System.nanoTime() < deadline) {
      mine = agent.admin().get("/alerts/notifications?jobExecutionId=" + executionId).bodyAsJsonObject()
        .getJsonArray("value").stream()
        .map(JsonObject.class::cast)
        .collect(Collectors.toList());
      assertTrue(mine.stream().allMatch(n -> executionId.equals(n.getString("jobExecutionId"))), mine.toString());
      if (mine.size() == count && mine.stream().allMatch(n -> n.getString("status").equals(status))) {
        return mine;
      }
      Executions.sleep(100);
    }
    throw new AssertionError("The delivery log of " + executionId + " has " + mine);
  }

  private static void actionGroup(String name, String webhookPath, String slackPath, String teamsPath) {
    JsonObject group = new JsonObject();
    if (webhookPath != null) {
      group.put("webhookReceivers", new JsonArray().add(new JsonObject().put("name", "hook")
        .put("serviceUri", webhooks.url(webhookPath))));
    }
    if (slackPath != null) {
      group.put("slackReceivers", new JsonArray().add(new JsonObject().put("name", "slack")
        .put("webhookUrl", chats.url(slackPath))));
    }
    if (teamsPath != null) {
      group.put("teamsReceivers", new JsonArray().add(new JsonObject().put("name", "teams")
        .put("webhookUrl", chats.url(teamsPath))));
    }
    HttpResponse<Buffer> saved = agent.admin().put("/actionGroups/" + name, group);
    assertTrue(saved.statusCode() == 201 || saved.statusCode() == 200, saved.bodyAsString());
    assertNull(saved.bodyAsJsonObject().getJsonArray("slackReceivers").stream()
      .map(r -> ((JsonObject) r).getString("webhookUrl")).filter(u -> u.contains(String.valueOf(slackPath)))
      .findFirst().orElse(null), "the saved group shows no chat URL path");
  }

  private static HttpResponse<Buffer> notification(String name, List<String> jobs, List<String> states,
                                                   String... groups) {
    return agent.admin().put("/executionNotifications/" + name, body(jobs, states, groups));
  }

  private static JsonObject body(List<String> jobs, List<String> states, String... groups) {
    return new JsonObject()
      .put("jobs", new JsonArray(new ArrayList<>(jobs)))
      .put("endStates", new JsonArray(new ArrayList<>(states)))
      .put("actionGroups", new JsonArray(List.of(groups)));
  }
}
