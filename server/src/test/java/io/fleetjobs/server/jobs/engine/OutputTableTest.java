package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The first result set of each target goes to the output table, created on first use and then appended to. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OutputTableTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static AgentFixture agent;
  private static TargetServer server;
  private static Executions executions;

  @BeforeAll
  static void start(Vertx vertx) {
    server = TargetServer.start();
    server.createDatabases("out_a", "out_b", "results");
    agent = AgentFixture.start(vertx, "output");
    executions = new Executions(agent.admin());
    agent.admin().put("/credentials/job", new JsonObject().put("username", "postgres").put("password", "x"));
    agent.admin().put("/targetGroups/two", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlDatabase").put("serverName", server.serverName()).put("databaseName", "out_a"))
      .add(new JsonObject().put("type", "SqlDatabase").put("serverName", server.serverName()).put("databaseName", "out_b"))));
    agent.admin().put("/jobs/sizes", new JsonObject());
  }

  @AfterAll
  static void stop() {
    agent.close();
    server.close();
  }

  @Test
  void the_table_is_created_on_first_use_appended_to_and_a_mismatch_fails_clearly() {
    putStep("CREATE TEMP TABLE t AS SELECT 1; SELECT current_database() AS db, 42 AS answer, now() AS at");
    String first = executions.start("sizes");
    assertEquals("Succeeded", executions.awaitEnd("sizes", first, PATIENCE).getString("lifecycle"));
    String second = executions.start("sizes");
    assertEquals("Succeeded", executions.awaitEnd("sizes", second, PATIENCE).getString("lifecycle"));

    assertEquals(Stream.of(first + " localhost out_a out_a 42", first + " localhost out_b out_b 42",
        second + " localhost out_a out_a 42", second + " localhost out_b out_b 42").sorted().toList(),
      server.column("results", "SELECT internal_execution_id || ' ' || split_part(target_server_name, ':', 1) || ' ' "
        + "|| target_database_name || ' ' || db || ' ' || answer FROM public.runs").stream().sorted().toList());
    assertEquals(List.of("int4", "timestamptz"), server.column("results", "SELECT udt_name FROM "
      + "information_schema.columns WHERE table_name = 'runs' AND column_name IN ('answer', 'at') ORDER BY column_name"));
    assertEquals(List.of("IX_runs_Internal_Execution_ID"),
      server.column("results", "SELECT indexname FROM pg_indexes WHERE tablename = 'runs'"));

    putStep("SELECT 'different' AS shape");
    String third = executions.start("sizes");
    assertEquals("Failed", executions.awaitEnd("sizes", third, PATIENCE).getString("lifecycle"));
    String message = executions.targets("sizes", third).get(0).getString("lastMessage");
    assertTrue(message.contains("does not match this result") && message.contains("shape"), message);
    assertEquals(List.of("4"), server.column("results", "SELECT count(*) FROM public.runs"));
  }

  private static void putStep(String command) {
    agent.admin().put("/jobs/sizes/steps/collect", new JsonObject().put("targetGroup", "two").put("credential", "job")
      .put("action", new JsonObject().put("value", command))
      .put("executionOptions", new JsonObject().put("retryAttempts", 0))
      .put("output", new JsonObject().put("serverName", server.serverName()).put("databaseName", "results")
        .put("tableName", "runs").put("credential", "job")));
  }
}
