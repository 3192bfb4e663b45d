package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A stopping agent does not wait for long statements: it cancels them and hands their claims back unspent. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AgentStopTest {

  @Test
  void stopping_cancels_running_statements_and_leaves_them_to_retry(Vertx vertx) throws Exception {
    TargetServer server = TargetServer.start();
    AgentFixture agent = AgentFixture.start(vertx, "agent_stop");
    try {
      Scenario.on(agent)
        .fleet(server, "stop_a")
        .credential("job")
        .group("one", "stop_a")
        .job("long")
        .step("s", "SELECT pg_sleep(60) /* stop-marker */")
        .create();
      Executions executions = new Executions(agent.admin());
      String id = executions.start("long");
      executions.awaitTarget("long", id, t -> t.getString("lifecycle").equals("InProgress"), Duration.ofSeconds(30));
      // Running on the target, not just claimed: the executor holds it now.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (running(server) == 0) {
        assertTrue(System.nanoTime() < deadline, "the statement never started on its target");
        Executions.sleep(50);
      }

      long started = System.nanoTime();
      agent.close();
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(tookMs < 10_000, "stop took " + tookMs + " ms; it must not wait for the 60 s statement");
      assertEquals(0, running(server), "the statement was cancelled on the target");
      try (Connection db = TestPostgres.connect(agent.database(), "postgres"); Statement sql = db.createStatement();
           ResultSet row = sql.executeQuery("SELECT lifecycle, current_attempts, lease_owner FROM"
             + " jobs_internal.target_executions WHERE job_execution_id = '" + id + "'")) {
        row.next();
        assertEquals("Created", row.getString(1), "the claim was handed back for the next agent to run");
        assertEquals(0, row.getInt(2), "stopping the agent spent none of the target's attempts");
        assertEquals(null, row.getString(3));
      }
    } finally {
      server.close();
    }
  }

  private static int running(TargetServer server) {
    return server.column("postgres", "SELECT pid FROM pg_stat_activity WHERE query LIKE '%stop-marker%'"
      + " AND query NOT LIKE '%pg_stat_activity%'").size();
  }
}
