package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Server members are enumerated when the step starts; excludes and duplicates are applied. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TargetExpansionTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("expansion");
  private static final TargetServer server = agent.targetServer();
  private static final Executions executions = new Executions(agent);
  private static final Scenario scenario = Scenario.on(agent);

  @BeforeAll
  static void setUp() {
    server.execute("postgres", "CREATE DATABASE closed", "ALTER DATABASE closed ALLOW_CONNECTIONS false");
    scenario.fleet(server, "tenant_a", "tenant_b", "mapping")
      .credential("refresh")
      .credential("job")
      .group("fleet")
      .everyDatabase("refresh")
      .exclude("mapping")
      // Reached again through the server member: it must run once.
      .databasesOn(server.serverName().toUpperCase(), "tenant_a")
      .job("fleetwide")
      .step("s1", "SELECT current_database()")
      .create();
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
    // A refused connection is transient: without retries the member's row fails at once.
    scenario.group("unreachable")
      .everyDatabaseOn("127.0.0.1:1", "refresh")
      .job("unreachable")
      .step("s1", "SELECT 1")
      .retryAttempts(0)
      .create();
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
    scenario.group("nowhere")
      .everyDatabaseOn("127.0.0.1:1", "refresh")
      .create();
    JsonObject nowhere = agent.admin().get("/targetGroups/nowhere/targets/preview").bodyAsJsonObject();
    assertTrue(nowhere.getString("error").toLowerCase().contains("connection refused"), nowhere.encode());
    assertEquals(0, nowhere.getJsonArray("targets").size());
    assertEquals(404, agent.admin().get("/targetGroups/missing/targets/preview").statusCode());
  }
}
