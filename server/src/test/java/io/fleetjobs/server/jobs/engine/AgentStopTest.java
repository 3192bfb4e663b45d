package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A stopping agent does not wait for long statements: it cancels them and hands their claims back unspent. Nor
 * for connections its failed logins left behind: they leave none.
 */
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

  /**
   * Refused logins leave nothing for a stop to wait for. On a server without TLS, vertx-pg-client's prefer left the
   * connection the server had said no to TLS on open when the sign-in then failed, in a client that only the garbage
   * collector closed, gracefully, over 30 s; an agent's stop waited for that where the logins ran on the HTTP
   * verticle, as a credential's test does (28 s after a collection).
   */
  @Test
  void stopping_after_a_credential_test_of_refused_logins_takes_seconds(Vertx vertx) {
    TargetServer server = TargetServer.start();
    server.requirePassword("stop_user", "right-password");
    AgentFixture agent = AgentFixture.start(vertx, "agent_stop_refused");
    try {
      String[] databases = Scenario.numbered("refused_", 20);
      Scenario.on(agent)
        .fleet(server, databases)
        .credential("wrong", "stop_user", "not-the-password")
        .group("refused", databases)
        .create();
      JsonArray results = agent.admin().post("/credentials/wrong/test", new JsonObject().put("targetGroup", "refused"))
        .bodyAsJsonObject().getJsonArray("value");
      assertEquals(databases.length, results.size(), results.encode());
      results.stream().map(JsonObject.class::cast)
        .forEach(result -> assertEquals("28P01", result.getString("sqlState"), result.encode()));
      // Whatever the collector finds unreachable now is being closed, as it would be at any time on a busy agent.
      System.gc();
      Executions.sleep(1_000);

      long started = System.nanoTime();
      agent.close();
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(tookMs < 10_000, "stop took " + tookMs + " ms after refused logins");
    } finally {
      server.close();
    }
  }

  private static int running(TargetServer server) {
    return server.column("postgres", "SELECT pid FROM pg_stat_activity WHERE query LIKE '%stop-marker%'"
      + " AND query NOT LIKE '%pg_stat_activity%'").size();
  }
}
