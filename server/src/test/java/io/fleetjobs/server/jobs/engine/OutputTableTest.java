package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The first result set of each target goes to the output table, created on first use and then appended to. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OutputTableTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("output");
  private static final TargetServer server = agent.targetServer();
  private static final Executions executions = new Executions(agent);
  private static final Scenario scenario = Scenario.on(agent);

  @BeforeAll
  static void setUp() {
    scenario.fleet(server, "out_a", "out_b", "results")
      .credential("job")
      .group("two", "out_a", "out_b")
      .job("sizes")
      .create();
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
    scenario.job("sizes")
      .step("collect", command)
      .retryAttempts(0)
      .output("results", "runs")
      .create();
  }
}
