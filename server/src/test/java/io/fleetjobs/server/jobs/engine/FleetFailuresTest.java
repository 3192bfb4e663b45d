package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.TcpGate;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What happens on a real fleet when part of it fails: a dead or silent server, a server reached under two names,
 * a wrong password, a syntax error, a backend killed mid-statement. Real PostgreSQL servers throughout.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FleetFailuresTest {
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static AgentFixture agent;
  private static TargetServer fifty;
  private static TargetServer hundred;
  private static Executions executions;

  @BeforeAll
  static void start(Vertx vertx) {
    // The two servers and the agent start side by side: each waits mostly on its own PostgreSQL.
    CompletableFuture<TargetServer> startingFifty = CompletableFuture.supplyAsync(() -> {
      TargetServer server = TargetServer.start();
      server.createDatabases(IntStream.range(0, 50).mapToObj(i -> "tenant_" + i).toArray(String[]::new));
      return server;
    });
    CompletableFuture<TargetServer> startingHundred = CompletableFuture.supplyAsync(() -> {
      TargetServer server = TargetServer.start();
      server.createDatabases(IntStream.range(0, 100).mapToObj(i -> "many_" + i).toArray(String[]::new));
      server.createDatabases("single");
      server.requirePassword("fleet_user", "right-password");
      return server;
    });
    agent = AgentFixture.start(vertx, "fleet_failures", new JsonObject().put("enumerationTimeoutSeconds", 2));
    fifty = startingFifty.join();
    hundred = startingHundred.join();
    executions = new Executions(agent.admin());
    credential("refresh", "postgres", "x");
    credential("job", "postgres", "x");
    credential("wrong", "fleet_user", "not-the-password");
    credential("right", "fleet_user", "right-password");
  }

  @AfterAll
  static void stop() {
    agent.close();
    fifty.close();
    hundred.close();
  }

  @Test
  void a_dead_server_fails_its_own_row_and_every_other_database_runs() {
    group("with-dead", server("127.0.0.1:1"), server(fifty.serverName()), database(hundred.serverName(), "single"));
    job("with-dead", "with-dead", "job", "SELECT 1", 0);
    String id = executions.start("with-dead");
    JsonObject done = executions.awaitEnd("with-dead", id, PATIENCE);
    assertEquals("Failed", done.getString("lifecycle"), "a row failed, so the run did");

    List<JsonObject> rows = executions.targets("with-dead", id);
    assertEquals(51, rows.stream().filter(row -> row.getString("lifecycle").equals("Succeeded")).count(), "" + rows);
    List<JsonObject> failed = rows.stream().filter(row -> row.getString("lifecycle").equals("Failed")).toList();
    assertEquals(1, failed.size(), failed.toString());
    JsonObject member = failed.get(0);
    assertEquals("SqlServer", member.getJsonObject("target").getString("type"));
    assertEquals("127.0.0.1:1", member.getJsonObject("target").getString("serverName"));
    assertNull(member.getJsonObject("target").getString("databaseName"));
    assertTrue(member.getString("lastMessage").toLowerCase().contains("connection refused"), member.encode());

    JsonObject preview = agent.admin().get("/targetGroups/with-dead/targets/preview").bodyAsJsonObject();
    assertEquals(51, preview.getJsonArray("targets").size(), preview.encode());
    List<JsonObject> members = preview.getJsonArray("members").stream().map(JsonObject.class::cast).toList();
    assertEquals(List.of("Failed", "Listed", "Listed"), members.stream().map(m -> m.getString("status")).toList());
    assertTrue(members.get(0).getString("error").toLowerCase().contains("connection refused"), preview.encode());
    assertEquals(50, members.get(1).getInteger("databases"));
  }

  @Test
  void a_server_that_accepts_and_never_answers_is_bounded_by_the_listing_timeout(Vertx vertx) {
    try (TcpGate silent = TcpGate.start(vertx, fifty.port(), TcpGate.State.SILENT)) {
      group("with-silent", server(silent.serverName()), database(hundred.serverName(), "single"));
      job("with-silent", "with-silent", "job", "SELECT 1", 0);
      String id = executions.start("with-silent");
      executions.awaitEnd("with-silent", id, PATIENCE);
      List<JsonObject> rows = executions.targets("with-silent", id);
      assertEquals(List.of("Failed", "Succeeded"), rows.stream().map(row -> row.getString("lifecycle")).sorted()
        .toList(), rows.toString());
      JsonObject member = rows.stream().filter(row -> row.getString("lifecycle").equals("Failed")).findFirst()
        .orElseThrow();
      assertTrue(member.getString("lastMessage").contains("no answer within 2 s"), member.encode());
    }
  }

  @Test
  void a_member_that_comes_back_is_listed_again_and_its_databases_run(Vertx vertx) {
    try (TcpGate gate = TcpGate.start(vertx, fifty.port(), TcpGate.State.CLOSED)) {
      group("comes-back", server(gate.serverName()));
      job("comes-back", "comes-back", "job", "SELECT 1", 3);
      String id = executions.start("comes-back");
      executions.awaitTarget("comes-back", id, row -> row.getString("lifecycle").equals("WaitingForRetry"), PATIENCE);
      gate.set(TcpGate.State.OPEN);
      JsonObject done = executions.awaitEnd("comes-back", id, PATIENCE);
      assertEquals("Succeeded", done.getString("lifecycle"), done.encode());
      List<JsonObject> rows = executions.targets("comes-back", id);
      assertEquals(51, rows.size(), "the member's row and its 50 databases");
      JsonObject member = rows.stream().filter(row -> row.getJsonObject("target").getString("databaseName") == null)
        .findFirst().orElseThrow();
      assertEquals("Succeeded", member.getString("lifecycle"));
      assertTrue(member.getInteger("currentAttempts") >= 2, member.encode());
      assertTrue(member.getString("lastMessage").contains("50 databases"), member.encode());
    }
  }

  @Test
  void a_database_reached_under_two_names_of_its_server_runs_once() {
    String port = String.valueOf(fifty.port());
    group("two-names", server("127.0.0.1:" + port), server("localhost:" + port));
    JsonObject preview = agent.admin().get("/targetGroups/two-names/targets/preview").bodyAsJsonObject();
    assertEquals(50, preview.getJsonArray("targets").size(), preview.encode());
    assertEquals(new JsonObject().put("serverName", "localhost:" + port).put("sameAs", "127.0.0.1:" + port),
      preview.getJsonArray("merged").getJsonObject(0));
    job("two-names", "two-names", "job", "SELECT 1", 0);
    String id = executions.start("two-names");
    assertEquals("Succeeded", executions.awaitEnd("two-names", id, PATIENCE).getString("lifecycle"));
    List<JsonObject> rows = executions.targets("two-names", id);
    assertEquals(50, rows.size());
    rows.forEach(row -> assertEquals("127.0.0.1:" + port, row.getJsonObject("target").getString("serverName"),
      "the first spelling is kept"));
  }

  @Test
  void a_wrong_password_fails_every_database_at_once_without_a_retry() {
    group("password-fleet", server(hundred.serverName()), database(hundred.serverName(), "single").put(
      "membershipType", "Exclude"));
    // The default retryAttempts, 10: none of them may be spent on a login that cannot succeed. At most 25 logins
    // at once, so that a loaded test machine does not time out a password handshake (a timeout is retried).
    agent.admin().put("/jobs/wrong-password", new JsonObject());
    HttpResponse<Buffer> saved = agent.admin().put("/jobs/wrong-password/steps/s1", new JsonObject()
      .put("targetGroup", "password-fleet").put("credential", "wrong").put("maxParallelism", 25)
      .put("action", new JsonObject().put("value", "SELECT 1")));
    assertTrue(saved.statusCode() < 300, saved.bodyAsString());
    String id = executions.start("wrong-password");
    assertEquals("Failed", executions.awaitEnd("wrong-password", id, PATIENCE).getString("lifecycle"));
    List<JsonObject> rows = executions.targets("wrong-password", id);
    assertEquals(100, rows.size());
    rows.forEach(row -> {
      assertEquals("Failed", row.getString("lifecycle"));
      assertEquals(1, row.getInteger("currentAttempts"), row.encode());
      assertTrue(row.getString("lastMessage").contains("not retried: the login was refused (28P01)"), row.encode());
    });
  }

  @Test
  void a_syntax_error_is_not_retried() {
    group("syntax", database(fifty.serverName(), "tenant_0"));
    job("syntax", "syntax", "job", "SELEC 1", null);
    String id = executions.start("syntax");
    executions.awaitEnd("syntax", id, PATIENCE);
    JsonObject row = executions.targets("syntax", id).get(0);
    assertEquals("Failed", row.getString("lifecycle"));
    assertEquals(1, row.getInteger("currentAttempts"));
    assertTrue(row.getString("lastMessage").contains("not retried: a syntax error or access rule violation (42601)"),
      row.encode());
  }

  @Test
  void a_backend_terminated_mid_statement_is_retried_and_then_succeeds() {
    group("terminated", database(fifty.serverName(), "tenant_1"));
    job("terminated", "terminated", "job", "SELECT pg_sleep(1.5) /* terminate-me */", 2);
    String id = executions.start("terminated");
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    List<String> killed = List.of();
    while (killed.isEmpty() && System.nanoTime() < deadline) {
      killed = fifty.column("postgres", "SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity"
        + " WHERE query LIKE '%terminate-me%' AND pid <> pg_backend_pid()");
    }
    assertEquals(List.of("true"), killed, "the statement was killed once, mid-run");
    JsonObject done = executions.awaitEnd("terminated", id, PATIENCE);
    assertEquals("Succeeded", done.getString("lifecycle"), done.encode());
    assertEquals(2, executions.targets("terminated", id).get(0).getInteger("currentAttempts"));
  }

  @Test
  void a_credential_is_tested_on_each_database_and_a_refused_login_names_its_sqlstate() {
    group("test-fleet", server(hundred.serverName()));
    JsonArray wrong = agent.admin().post("/credentials/wrong/test", new JsonObject().put("targetGroup", "test-fleet"))
      .bodyAsJsonObject().getJsonArray("value");
    assertEquals(101, wrong.size());
    wrong.stream().map(JsonObject.class::cast).forEach(result -> {
      assertEquals(false, result.getBoolean("succeeded"), result.encode());
      assertEquals("28P01", result.getString("sqlState"), result.encode());
      assertTrue(result.getString("databaseName").startsWith("many_") || result.getString("databaseName")
        .equals("single"));
    });
    JsonArray right = agent.admin().post("/credentials/right/test", new JsonObject()
      .put("serverName", hundred.serverName())).bodyAsJsonObject().getJsonArray("value");
    assertEquals(1, right.size());
    assertEquals(true, right.getJsonObject(0).getBoolean("succeeded"), right.encode());
    assertEquals("postgres", right.getJsonObject(0).getString("databaseName"));
    HttpResponse<Buffer> both = agent.admin().post("/credentials/right/test", new JsonObject()
      .put("serverName", hundred.serverName()).put("targetGroup", "test-fleet"));
    assertEquals(400, both.statusCode(), both.bodyAsString());
    assertEquals(403, agent.as("operator").post("/credentials/right/test", new JsonObject()
      .put("serverName", hundred.serverName())).statusCode(), "credentials are the admin's");
  }

  @Test
  void a_postgresql_step_without_a_credential_is_refused_when_saved() {
    group("needs-login", database(fifty.serverName(), "tenant_2"));
    agent.admin().put("/jobs/needs-login", new JsonObject());
    HttpResponse<Buffer> refused = agent.admin().put("/jobs/needs-login/steps/s1", new JsonObject()
      .put("targetGroup", "needs-login").put("action", new JsonObject().put("value", "SELECT 1")));
    assertEquals(400, refused.statusCode(), refused.bodyAsString());
    assertEquals("credential", refused.bodyAsJsonObject().getJsonObject("error").getString("target"));
  }

  private static void credential(String name, String username, String password) {
    agent.admin().put("/credentials/" + name, new JsonObject().put("username", username).put("password", password));
  }

  private static JsonObject server(String serverName) {
    return new JsonObject().put("type", "SqlServer").put("serverName", serverName).put("refreshCredential", "refresh");
  }

  private static JsonObject database(String serverName, String database) {
    return new JsonObject().put("type", "SqlDatabase").put("serverName", serverName).put("databaseName", database);
  }

  private static void group(String name, JsonObject... members) {
    HttpResponse<Buffer> saved = agent.admin().put("/targetGroups/" + name, new JsonObject()
      .put("members", new JsonArray(List.of((Object[]) members))));
    assertTrue(saved.statusCode() < 300, saved.bodyAsString());
  }

  /** @param retryAttempts null for the default */
  private static void job(String name, String group, String credential, String script, Integer retryAttempts) {
    agent.admin().put("/jobs/" + name, new JsonObject());
    JsonObject options = new JsonObject().put("initialRetryIntervalSeconds", 1);
    if (retryAttempts != null) {
      options.put("retryAttempts", retryAttempts);
    }
    HttpResponse<Buffer> saved = agent.admin().put("/jobs/" + name + "/steps/s1", new JsonObject()
      .put("targetGroup", group).put("credential", credential).put("action", new JsonObject().put("value", script))
      .put("executionOptions", options));
    assertTrue(saved.statusCode() < 300, saved.bodyAsString());
  }
}
