package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Server members are enumerated when the step starts; excludes and duplicates are applied. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TargetExpansionTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static AgentFixture agent;
  private static TargetServer server;
  private static Executions executions;

  @BeforeAll
  static void start(Vertx vertx) {
    server = TargetServer.start();
    server.createDatabases("tenant_a", "tenant_b", "mapping");
    server.execute("postgres", "CREATE DATABASE closed", "ALTER DATABASE closed ALLOW_CONNECTIONS false");
    agent = AgentFixture.start(vertx, "expansion");
    executions = new Executions(agent.admin());
    agent.admin().put("/credentials/refresh", new JsonObject().put("username", "postgres").put("password", "x"));
    agent.admin().put("/credentials/job", new JsonObject().put("username", "postgres").put("password", "x"));
    agent.admin().put("/targetGroups/fleet", new JsonObject().put("members", new JsonArray()
      .add(member("SqlServer", server.serverName()).put("refreshCredential", "refresh"))
      .add(member("SqlDatabase", server.serverName()).put("databaseName", "mapping").put("membershipType", "Exclude"))
      // Reached again through the server member: it must run once.
      .add(member("SqlDatabase", server.serverName().toUpperCase()).put("databaseName", "tenant_a"))));
    agent.admin().put("/jobs/fleetwide", new JsonObject());
    agent.admin().put("/jobs/fleetwide/steps/s1", new JsonObject().put("targetGroup", "fleet").put("credential", "job")
      .put("action", new JsonObject().put("value", "SELECT current_database()")));
  }

  @AfterAll
  static void stop() {
    agent.close();
    server.close();
  }

  @Test
  void a_server_member_becomes_its_databases_minus_excludes_templates_postgres_and_closed_ones() {
    String id = executions.start("fleetwide");
    assertEquals("Succeeded", executions.awaitEnd("fleetwide", id, PATIENCE).getString("lifecycle"));
    List<String> databases = executions.targets("fleetwide", id).stream()
      .map(row -> row.getJsonObject("target").getString("databaseName"))
      .sorted()
      .toList();
    assertEquals(List.of("tenant_a", "tenant_b"), databases);
  }

  @Test
  void databases_created_since_the_last_run_are_picked_up() {
    server.createDatabases("tenant_new");
    try {
      String id = executions.start("fleetwide");
      executions.awaitEnd("fleetwide", id, PATIENCE);
      assertTrue(executions.targets("fleetwide", id).stream()
        .anyMatch(row -> row.getJsonObject("target").getString("databaseName").equals("tenant_new")));
    } finally {
      server.execute("postgres", "DROP DATABASE tenant_new");
    }
  }

  @Test
  void a_server_that_cannot_be_enumerated_fails_the_step_with_its_error() {
    agent.admin().put("/targetGroups/unreachable", new JsonObject().put("members", new JsonArray()
      .add(member("SqlServer", "127.0.0.1:1").put("refreshCredential", "refresh"))));
    agent.admin().put("/jobs/unreachable", new JsonObject());
    // A refused connection is transient: without retries the member's row fails at once.
    agent.admin().put("/jobs/unreachable/steps/s1", new JsonObject().put("targetGroup", "unreachable")
      .put("credential", "job").put("action", new JsonObject().put("value", "SELECT 1"))
      .put("executionOptions", new JsonObject().put("retryAttempts", 0)));
    String id = executions.start("unreachable");
    JsonObject done = executions.awaitEnd("unreachable", id, PATIENCE);
    assertEquals("Failed", done.getString("lifecycle"));
    String message = executions.steps("unreachable", id).get(0).getString("lastMessage");
    assertTrue(message.contains("127.0.0.1:1") && message.toLowerCase().contains("connection refused"), message);
  }

  @Test
  void preview_shows_the_databases_a_run_would_hit_now_and_their_credential() {
    JsonArray steps = agent.admin().get("/jobs/fleetwide/targets/preview").bodyAsJsonObject().getJsonArray("value");
    assertEquals(1, steps.size());
    JsonObject step = steps.getJsonObject(0);
    assertNull(step.getString("error"));
    assertEquals("job", step.getString("credential"));
    List<String> databases = step.getJsonArray("targets").stream()
      .map(t -> ((JsonObject) t).getString("databaseName")).sorted().toList();
    assertEquals(List.of("tenant_a", "tenant_b"), databases);
    assertEquals("job", step.getJsonArray("targets").getJsonObject(0).getString("credential"));
    JsonObject single = agent.admin().get("/jobs/fleetwide/steps/s1/targets/preview").bodyAsJsonObject();
    assertEquals(2, single.getJsonArray("targets").size());
  }

  @Test
  void a_group_previews_its_databases_without_a_job_and_shows_why_a_server_cannot_be_enumerated() {
    JsonObject fleet = agent.as("reader").get("/targetGroups/fleet/targets/preview").bodyAsJsonObject();
    assertNull(fleet.getString("error"));
    assertEquals(List.of("tenant_a", "tenant_b"), fleet.getJsonArray("targets").stream()
      .map(t -> ((JsonObject) t).getString("databaseName")).sorted().toList());
    agent.admin().put("/targetGroups/nowhere", new JsonObject().put("members", new JsonArray()
      .add(member("SqlServer", "127.0.0.1:1").put("refreshCredential", "refresh"))));
    JsonObject nowhere = agent.admin().get("/targetGroups/nowhere/targets/preview").bodyAsJsonObject();
    assertTrue(nowhere.getString("error").toLowerCase().contains("connection refused"), nowhere.encode());
    assertEquals(0, nowhere.getJsonArray("targets").size());
    assertEquals(404, agent.admin().get("/targetGroups/missing/targets/preview").statusCode());
  }

  private static JsonObject member(String type, String serverName) {
    return new JsonObject().put("type", type).put("serverName", serverName);
  }
}
