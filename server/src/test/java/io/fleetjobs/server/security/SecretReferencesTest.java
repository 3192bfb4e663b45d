package io.fleetjobs.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.alerts.notify.WebhookSecrets;
import io.fleetjobs.alerts.notify.WebhookSigner;
import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.fleetjobs.server.testsupport.WebhookReceiver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Secrets the platform keeps (a mounted secret file, a FLEETJOBS_SECRET_ variable), given by reference to a
 * credential as its password and to a webhook receiver as its signing secret: read when used, shown as the
 * reference and never as the value, a missing one failing the target (or the delivery) plainly without a retry;
 * and the master key from a file. The SMTP password from a file is EmailNotifierTest's.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecretReferencesTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String FILE_PASSWORD = "from-the-mounted-file";
  private static final String ENV_PASSWORD = "from-the-variable";
  private static Path secrets;
  private static TargetServer server;
  private static AgentFixture agent;
  private static Executions executions;
  private static WebhookReceiver hooks;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    secrets = Files.createTempDirectory("fleetjobs-secrets-");
    Files.writeString(secrets.resolve("db"), FILE_PASSWORD + "\n");
    hooks = WebhookReceiver.start(vertx);
    server = TargetServer.start();
    server.createDatabases("ref_target");
    server.requirePassword("file_user", FILE_PASSWORD);
    server.requirePassword("env_user", ENV_PASSWORD);
    agent = AgentFixture.unstarted("secret_refs", new JsonObject().put("webhookAllow", "127.0.0.1"))
      .withEnvironment(Map.of("FLEETJOBS_SECRET_DB", ENV_PASSWORD, "FLEETJOBS_MASTER_KEY", "not-for-references"))
      .startOn(vertx);
    executions = new Executions(agent.admin());
    HttpResponse<Buffer> group = agent.admin().put("/targetGroups/refs", new JsonObject().put("members",
      new JsonArray().add(new JsonObject().put("type", "SqlDatabase").put("serverName", server.serverName())
        .put("databaseName", "ref_target"))));
    assertEquals(201, group.statusCode(), group.bodyAsString());
  }

  @AfterAll
  static void stop() {
    agent.close();
    server.close();
    hooks.close();
  }

  private static HttpResponse<Buffer> credential(String name, String username, JsonObject passwordFrom) {
    return agent.admin().put("/credentials/" + name, new JsonObject().put("username", username)
      .put("passwordFrom", passwordFrom));
  }

  private static JsonObject runOnce(String job, String credential) {
    agent.admin().put("/jobs/" + job, new JsonObject());
    HttpResponse<Buffer> step = agent.admin().put("/jobs/" + job + "/steps/s1", new JsonObject()
      .put("targetGroup", "refs").put("credential", credential)
      .put("action", new JsonObject().put("value", "SELECT current_user"))
      .put("executionOptions", new JsonObject().put("retryAttempts", 3).put("initialRetryIntervalSeconds", 1)));
    assertTrue(step.statusCode() < 300, step.bodyAsString());
    String id = executions.start(job);
    executions.awaitEnd(job, id, PATIENCE);
    List<JsonObject> rows = executions.targets(job, id);
    assertEquals(1, rows.size(), rows.toString());
    return rows.get(0);
  }

  @Test
  void a_password_from_a_file_is_read_when_used_and_only_the_reference_shows() throws Exception {
    JsonObject reference = new JsonObject().put("file", secrets.resolve("db").toString());
    HttpResponse<Buffer> saved = credential("from-file", "file_user", reference);
    assertEquals(201, saved.statusCode(), saved.bodyAsString());
    assertEquals(reference, saved.bodyAsJsonObject().getJsonObject("passwordFrom"));
    String shown = agent.admin().get("/credentials/from-file").bodyAsString()
      + agent.admin().get("/credentials").bodyAsString();
    assertTrue(shown.contains(secrets.resolve("db").toString()), shown);
    assertFalse(shown.contains(FILE_PASSWORD), shown);
    try (Connection db = agent.jdbc(); Statement sql = db.createStatement();
         ResultSet row = sql.executeQuery("SELECT password_sealed, password_from::text FROM jobs_internal.credentials "
           + "WHERE credential_name = 'from-file'")) {
      assertTrue(row.next());
      assertNull(row.getBytes(1), "nothing of the value is stored");
      assertFalse(row.getString(2).contains(FILE_PASSWORD));
    }

    JsonObject first = runOnce("file-run", "from-file");
    assertEquals("Succeeded", first.getString("lifecycle"), "first " + first.encode());

    // The platform rotates the secret: the next use reads the new value (runs keep an opened login for 30 s).
    server.execute("postgres", "ALTER ROLE file_user PASSWORD 'rotated-value'");
    Files.writeString(secrets.resolve("db"), "rotated-value");
    JsonArray tested = agent.admin().post("/credentials/from-file/test", new JsonObject()
      .put("serverName", server.serverName()).put("databaseName", "ref_target")).bodyAsJsonObject()
      .getJsonArray("value");
    assertEquals(true, tested.getJsonObject(0).getBoolean("succeeded"), tested.encode());
  }

  @Test
  void a_password_from_a_prefixed_variable_is_read_from_the_agents_environment() {
    HttpResponse<Buffer> saved = credential("from-env", "env_user", new JsonObject().put("env", "FLEETJOBS_SECRET_DB"));
    assertEquals(201, saved.statusCode(), saved.bodyAsString());
    JsonObject row = runOnce("env-run", "from-env");
    assertEquals("Succeeded", row.getString("lifecycle"), row.encode());
  }

  @Test
  void a_missing_secret_fails_the_target_plainly_without_a_retry() {
    credential("missing-file", "file_user", new JsonObject().put("file", secrets.resolve("absent").toString()));
    JsonObject row = runOnce("missing-file-run", "missing-file");
    assertEquals("Failed", row.getString("lifecycle"));
    assertEquals(1, row.getInteger("currentAttempts"), row.encode());
    assertTrue(row.getString("lastMessage").contains("The passwordFrom of credential 'missing-file' is read from the "
      + "file " + secrets.resolve("absent") + ", which does not exist or cannot be read."), row.encode());

    credential("missing-env", "env_user", new JsonObject().put("env", "FLEETJOBS_SECRET_UNSET"));
    JsonObject unset = runOnce("missing-env-run", "missing-env");
    assertEquals("Failed", unset.getString("lifecycle"));
    assertEquals(1, unset.getInteger("currentAttempts"), unset.encode());
    assertTrue(unset.getString("lastMessage").contains("FLEETJOBS_SECRET_UNSET, which is not set"), unset.encode());
  }

  @Test
  void a_reference_that_could_read_the_agents_settings_is_refused_and_changes_nothing() {
    for (JsonObject bad : List.of(
      new JsonObject().put("env", "FLEETJOBS_MASTER_KEY"),
      new JsonObject().put("file", "relative/path"),
      new JsonObject().put("file", "/a").put("env", "FLEETJOBS_SECRET_DB"))) {
      HttpResponse<Buffer> refused = credential("refused", "someone", bad);
      assertEquals(400, refused.statusCode(), bad.encode() + " " + refused.bodyAsString());
      assertTrue(refused.bodyAsJsonObject().getJsonObject("error").getString("target").startsWith("passwordFrom"),
        refused.bodyAsString());
    }
    HttpResponse<Buffer> both = agent.admin().put("/credentials/refused", new JsonObject().put("username", "someone")
      .put("password", "x").put("passwordFrom", new JsonObject().put("env", "FLEETJOBS_SECRET_DB")));
    assertEquals(400, both.statusCode(), both.bodyAsString());
    assertEquals("password", both.bodyAsJsonObject().getJsonObject("error").getString("target"));
    assertEquals(404, agent.admin().get("/credentials/refused").statusCode(), "nothing was saved");
  }

  private static HttpResponse<Buffer> webhookGroup(String group, JsonObject receiver) {
    return agent.admin().put("/actionGroups/" + group, new JsonObject().put("webhookReceivers",
      new JsonArray().add(receiver.put("name", "pager"))));
  }

  /** One test notification through the real outbox and delivery path; its attempt as the API reports it. */
  private static JsonObject testSend(String group) {
    HttpResponse<Buffer> tested = agent.admin().post("/actionGroups/" + group + "/test", new JsonObject());
    assertEquals(200, tested.statusCode(), tested.bodyAsString());
    return tested.bodyAsJsonObject().getJsonArray("results").getJsonObject(0);
  }

  private static void assertSignedWith(String secret, WebhookReceiver.Received request) {
    String expected = WebhookSigner.sign(secret, request.headers().get("webhook-id"),
      Long.parseLong(request.headers().get("webhook-timestamp")), request.body().getBytes(StandardCharsets.UTF_8));
    assertEquals(expected, request.headers().get("webhook-signature"));
  }

  @Test
  void a_webhook_secret_from_a_file_signs_each_delivery_with_what_the_file_holds_then() throws Exception {
    Path file = secrets.resolve("hook");
    String first = WebhookSecrets.generate();
    Files.writeString(file, first + "\n");
    JsonObject reference = new JsonObject().put("file", file.toString());
    HttpResponse<Buffer> saved = webhookGroup("signed", new JsonObject().put("serviceUri", hooks.url("/signed"))
      .put("secretFrom", reference));
    assertEquals(201, saved.statusCode(), saved.bodyAsString());
    JsonObject shown = agent.as("reader").get("/actionGroups/signed").bodyAsJsonObject()
      .getJsonArray("webhookReceivers").getJsonObject(0);
    assertEquals(reference, shown.getJsonObject("secretFrom"));
    assertNull(saved.bodyAsJsonObject().getJsonArray("webhookReceivers").getJsonObject(0).getValue("secret"),
      "nothing is generated for a receiver whose secret is read from the platform");

    assertEquals("Delivered", testSend("signed").getString("status"));
    assertSignedWith(first, hooks.at("/signed").get(0));

    // The platform rotates the secret: the next delivery is signed with the new one, without saving the group.
    String rotated = WebhookSecrets.generate();
    Files.writeString(file, rotated);
    assertEquals("Delivered", testSend("signed").getString("status"));
    assertSignedWith(rotated, hooks.at("/signed").get(1));

    // Saved again without secret or secretFrom (as the dashboard does), the receiver keeps its reference.
    assertEquals(200, webhookGroup("signed", new JsonObject().put("serviceUri", hooks.url("/signed"))).statusCode());
    assertEquals(reference, agent.admin().get("/actionGroups/signed").bodyAsJsonObject()
      .getJsonArray("webhookReceivers").getJsonObject(0).getJsonObject("secretFrom"));

    for (String path : List.of("/actionGroups", "/actionGroups/signed", "/alerts/notifications")) {
      String body = agent.admin().get(path).bodyAsString() + agent.as("reader").get(path).bodyAsString();
      assertFalse(body.contains(first) || body.contains(rotated), path + " shows the secret: " + body);
    }
    try (Connection db = agent.jdbc(); Statement sql = db.createStatement();
         ResultSet row = sql.executeQuery("SELECT secret_sealed, secret_from::text FROM alerts.receivers "
           + "WHERE group_name = 'signed'")) {
      assertTrue(row.next());
      assertNull(row.getBytes(1), "nothing of the value is stored");
      assertEquals(reference, new JsonObject(row.getString(2)));
    }
  }

  @Test
  void a_webhook_secret_that_is_missing_fails_the_delivery_with_the_reason_in_the_delivery_log() throws Exception {
    webhookGroup("unset-hook", new JsonObject().put("serviceUri", hooks.url("/unset"))
      .put("secretFrom", new JsonObject().put("env", "FLEETJOBS_SECRET_HOOK_UNSET")));
    JsonObject attempt = testSend("unset-hook");
    String reason = "The secretFrom of webhook receiver 'pager' of action group 'unset-hook' is read from the "
      + "variable FLEETJOBS_SECRET_HOOK_UNSET, which is not set.";
    assertEquals("Failed", attempt.getString("outcome"), attempt.encode());
    assertEquals("DeadLettered", attempt.getString("status"), "not retried: " + attempt.encode());
    assertEquals(reason, attempt.getString("error"));
    JsonObject logged = agent.as("reader").get("/alerts/notifications/" + attempt.getString("notificationId"))
      .bodyAsJsonObject();
    assertEquals("DeadLettered", logged.getString("status"), "not retried: " + logged.encode());
    assertEquals(reason, logged.getString("lastError"));
    assertEquals(reason, logged.getJsonArray("attemptLog").getJsonObject(0).getString("error"));

    Path file = secrets.resolve("not-a-hook-secret");
    Files.writeString(file, "plain-text-password");
    webhookGroup("malformed-hook", new JsonObject().put("serviceUri", hooks.url("/unset"))
      .put("secretFrom", new JsonObject().put("file", file.toString())));
    JsonObject malformed = testSend("malformed-hook");
    assertEquals("Failed", malformed.getString("outcome"));
    assertTrue(malformed.getString("error").startsWith("The secretFrom of webhook receiver 'pager' of action group "
      + "'malformed-hook' is read from the file " + file + ", which holds no webhook secret"), malformed.encode());
    assertFalse(malformed.encode().contains("plain-text-password"));
    assertTrue(hooks.at("/unset").isEmpty(), "nothing is sent unsigned");
  }

  @Test
  void a_webhook_secret_reference_that_could_read_the_agents_settings_is_refused_and_changes_nothing() {
    JsonObject hook = new JsonObject().put("serviceUri", hooks.url("/refused"));
    HttpResponse<Buffer> agentsKey = webhookGroup("refused-hook", hook.copy()
      .put("secretFrom", new JsonObject().put("env", "FLEETJOBS_MASTER_KEY")));
    assertEquals(400, agentsKey.statusCode(), agentsKey.bodyAsString());
    assertEquals("webhookReceivers[0].secretFrom.env", agentsKey.bodyAsJsonObject().getJsonObject("error")
      .getString("target"));
    HttpResponse<Buffer> both = webhookGroup("refused-hook", hook.copy().put("secret", WebhookSecrets.generate())
      .put("secretFrom", new JsonObject().put("env", "FLEETJOBS_SECRET_DB")));
    assertEquals(400, both.statusCode(), both.bodyAsString());
    assertEquals("webhookReceivers[0].secret", both.bodyAsJsonObject().getJsonObject("error").getString("target"));
    assertEquals(404, agent.admin().get("/actionGroups/refused-hook").statusCode(), "nothing was saved");
  }

  @Test
  void the_master_key_comes_from_a_file(Vertx vertx) throws Exception {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    Path keyFile = secrets.resolve("master.key");
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(bytes) + "\n");
    String database = TestPostgres.newJobDatabase("key_file");
    JsonObject config = AgentFixture.config(database).put("masterKey", (String) null)
      .put("masterKeyFile", keyFile.toString());
    Agent started = Agent.start(vertx, AgentConfig.fromJson(config),
      Agent.Dependencies.of(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))).await();
    started.stop().await();

    JsonObject both = config.copy().put("masterKey", Base64.getEncoder().encodeToString(bytes));
    Throwable refused = assertThrows(CompletionException.class, () -> Agent.start(vertx, AgentConfig.fromJson(both),
        Agent.Dependencies.of(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)))
      .toCompletionStage().toCompletableFuture().join()).getCause();
    assertTrue(refused.getMessage().contains("not both"), refused.getMessage());

    JsonObject absent = config.copy().put("masterKeyFile", secrets.resolve("no-such.key").toString());
    Throwable missing = assertThrows(CompletionException.class, () -> Agent.start(vertx, AgentConfig.fromJson(absent),
        Agent.Dependencies.of(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)))
      .toCompletionStage().toCompletableFuture().join()).getCause();
    assertTrue(missing.getMessage().contains("FLEETJOBS_MASTER_KEY_FILE"), missing.getMessage());
  }
}
