package io.fleetjobs.server.jobs.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dry runs on real target databases: what a script would do, seen and rolled back; what cannot be, refused. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DryRunTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("dry_runs");
  private static final TargetServer server = agent.targetServer();
  private static final Executions executions = new Executions(agent);
  private static final Scenario scenario = Scenario.on(agent);

  @BeforeAll
  static void setUp() {
    scenario.fleet(server, "dry_a", "dry_b", "dry_c")
      .credential("job")
      .group("three", "dry_a", "dry_b", "dry_c")
      .create();
    Map<String, Integer> rows = Map.of("dry_a", 3, "dry_b", 5, "dry_c", 0);
    rows.forEach((database, count) -> server.execute(database, "CREATE TABLE t (id int, x int)",
      "INSERT INTO t SELECT g, 0 FROM generate_series(1, " + count + ") g", "VACUUM t"));
  }

  @Test
  void a_dry_run_reports_each_statement_and_the_first_rows_per_database_and_changes_nothing() throws SQLException {
    scenario.job("update-x")
      .step("set", "UPDATE t SET x = 1;\nSELECT id, x FROM t ORDER BY id")
      .output("dry_a", "never_written")
      .create();
    String id = startDryRun("update-x");
    JsonObject ended = executions.awaitEnd("update-x", id, PATIENCE);
    assertEquals("Succeeded", ended.getString("lifecycle"), ended.encode());
    assertEquals(true, ended.getBoolean("dryRun"));

    Map<String, JsonObject> results = executions.targets("update-x", id).stream().collect(Collectors.toMap(
      t -> t.getJsonObject("target").getString("databaseName"), t -> t.getJsonObject("dryRunResult")));
    for (var expected : Map.of("dry_a", 3, "dry_b", 5, "dry_c", 0).entrySet()) {
      JsonObject result = results.get(expected.getKey());
      JsonArray statements = result.getJsonArray("statements");
      assertEquals(new JsonObject().put("statement", 1).put("line", 1).put("command", "UPDATE")
        .put("rows", expected.getValue()), statements.getJsonObject(0), result.encode());
      assertEquals(2, statements.getJsonObject(1).getInteger("line"));
      JsonArray rows = result.getJsonObject("resultSet").getJsonArray("rows");
      assertEquals(expected.getValue(), rows.size(), "inside the transaction the update is seen: " + result);
      assertTrue(rows.stream().allMatch(row -> ((JsonArray) row).getInteger(1) == 1), result.encode());
      assertEquals(List.of("0"), server.column(expected.getKey(), "SELECT count(*) FROM t WHERE x = 1"),
        "rolled back on " + expected.getKey());
    }
    assertEquals(List.of("0"), server.column("dry_a",
      "SELECT count(*) FROM pg_tables WHERE tablename = 'never_written'"), "no output table is written");
    try (Connection jobs = agent.jdbc(); ResultSet view = jobs.createStatement().executeQuery(
        "SELECT dry_run FROM jobs.job_executions WHERE job_execution_id = '" + id + "' AND step_id IS NULL")) {
      assertTrue(view.next());
      assertTrue(view.getBoolean(1), "the views show the dry run");
    }
    String scrape = agent.admin().raw(HttpMethod.GET, "/metrics", null).bodyAsString();
    assertFalse(scrape.contains("job_name=\"update-x\""), "a dry run counts in no metric of real runs");
  }

  @Test
  void vacuum_is_refused_by_a_dry_run_and_never_runs() throws SQLException {
    scenario.job("vacuum")
      .step("v", "UPDATE t SET x = 2;\nVACUUM t")
      .retryAttempts(3)
      .create();
    String id = startDryRun("vacuum");
    JsonObject ended = executions.awaitEnd("vacuum", id, PATIENCE);
    assertEquals("Failed", ended.getString("lifecycle"));
    for (JsonObject target : executions.targets("vacuum", id)) {
      assertEquals("Failed", target.getString("lifecycle"));
      assertTrue(target.getString("lastMessage").contains("cannot be dry-run: runs outside a transaction"),
        target.getString("lastMessage"));
      assertEquals(1, target.getInteger("currentAttempts"), "a refusal is not retried");
    }
    Executions.sleep(1000);
    for (String database : List.of("dry_a", "dry_b", "dry_c")) {
      try (Connection connection = server.connect(database);
           ResultSet vacuums = connection.createStatement().executeQuery(
             "SELECT vacuum_count, last_vacuum FROM pg_stat_user_tables WHERE relname = 't'")) {
        assertTrue(vacuums.next());
        assertEquals(1, vacuums.getLong(1), "only the setup's VACUUM ran on " + database);
      }
      assertEquals(List.of("0"), server.column(database, "SELECT count(*) FROM t WHERE x = 2"));
    }
  }

  @Test
  void a_failing_statement_fails_that_targets_dry_run_and_nothing_else() {
    scenario.job("one-fails")
      .step("s", "SELECT 1 / CASE WHEN current_database() = 'dry_b' THEN 0 ELSE 1 END AS ok")
      .retryAttempts(0)
      .create();
    String id = startDryRun("one-fails");
    JsonObject ended = executions.awaitEnd("one-fails", id, PATIENCE);
    assertEquals("Failed", ended.getString("lifecycle"));
    Map<String, String> lifecycles = executions.targets("one-fails", id).stream().collect(Collectors.toMap(
      t -> t.getJsonObject("target").getString("databaseName"), t -> t.getString("lifecycle")));
    assertEquals(Map.of("dry_a", "Succeeded", "dry_b", "Failed", "dry_c", "Succeeded"), lifecycles);

    String real = executions.start("one-fails");
    JsonObject realEnd = executions.awaitEnd("one-fails", real, PATIENCE);
    assertEquals(false, realEnd.getBoolean("dryRun"));
    assertTrue(executions.targets("one-fails", real).stream().allMatch(t -> t.getValue("dryRunResult") == null));
  }

  @Test
  void a_dry_run_needs_an_operator_and_a_boolean() {
    scenario.job("guarded").step("s", "SELECT 1").create();
    assertEquals(403, agent.as("reader").post("/jobs/guarded/start", new JsonObject().put("dryRun", true))
      .statusCode());
    HttpResponse<Buffer> wrong = agent.admin().post("/jobs/guarded/start", new JsonObject().put("dryRun", "yes"));
    assertEquals(400, wrong.statusCode(), wrong.bodyAsString());
    assertEquals("dryRun", wrong.bodyAsJsonObject().getJsonObject("error").getString("target"));
    HttpResponse<Buffer> typo = agent.admin().post("/jobs/guarded/start", new JsonObject().put("dryrun", true));
    assertEquals(400, typo.statusCode(), typo.bodyAsString());
    assertNull(agent.admin().get("/jobs/guarded/executions").bodyAsJsonObject().getJsonArray("value")
      .stream().findFirst().orElse(null), "nothing started");
  }

  private static String startDryRun(String job) {
    HttpResponse<Buffer> started = agent.as("operator").post("/jobs/" + job + "/start",
      new JsonObject().put("dryRun", true));
    assertEquals(202, started.statusCode(), started.bodyAsString());
    assertEquals(true, started.bodyAsJsonObject().getBoolean("dryRun"));
    return started.bodyAsJsonObject().getString("jobExecutionId");
  }
}
