package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.AgentProcess;
import io.fleetjobs.server.testsupport.ApiClient;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent process killed with SIGKILL mid-run: after a restart nothing is lost, nothing is recorded twice, and
 * the lost leases spend no attempt (every target runs with retryAttempts 0 and still succeeds).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CrashRecoveryTest {
  private static final int TARGETS = 100;
  private static final String[] DATABASES = Scenario.numbered("crash_", TARGETS);

  @Test
  void an_agent_killed_mid_run_loses_nothing_and_doubles_nothing(Vertx vertx, @TempDir Path dir) throws Exception {
    TargetServer server = TargetServer.start();
    String database = TestPostgres.newJobDatabase("crash");
    // A lease is as long as the agent that claims it says. The killed agent's are short (3 s, below), so the test
    // waits little for them to run out; the survivor's are the default 30 s, so on two cores shared with other test
    // JVMs it never loses one of its own for want of a timely renewal (with 6 s, a full run beside a second test
    // JVM failed targets after three lost leases).
    JsonObject config = AgentFixture.config(database).put("leaseSeconds", 30);

    // The fleet is created while the agent's JVM starts: neither needs the other until the job is defined.
    CompletableFuture<Void> fleet = CompletableFuture.runAsync(() -> server.createDatabases(DATABASES));
    AgentProcess first = null;
    Agent second = null;
    try {
      first = AgentProcess.start(Map.of(
        "FLEETJOBS_HTTP_PORT", "0",
        "FLEETJOBS_DB_URL", config.getString("dbUrl"),
        "FLEETJOBS_MASTER_KEY", config.getString("masterKey"),
        "FLEETJOBS_BOOTSTRAP_ADMIN_TOKEN", AgentFixture.ADMIN_TOKEN,
        "FLEETJOBS_LEASE_SECONDS", "3",
        "FLEETJOBS_DISPATCH_INTERVAL_MS", "50"), dir.resolve("first.log"));
      fleet.join();
      ApiClient api = ApiClient.create(vertx, first.port(), AgentFixture.ADMIN_TOKEN);
      Scenario.on(api)
        .fleet(server.serverName())
        .credential("job")
        .group("crash", DATABASES)
        .job("crash")
        .step("sleep", "SELECT pg_sleep(2)").retryAttempts(0)
        .step("after", "SELECT 1").retryAttempts(0)
        .create();
      Executions before = new Executions(api);
      String id = before.start("crash");
      before.awaitTarget("crash", id, t -> t.getString("lifecycle").equals("InProgress"), Duration.ofSeconds(60));

      first.kill();
      assertTrue(countInProgress(database, id) > 0, "the killed agent left work in flight");

      second = Agent.start(vertx, AgentConfig.fromJson(config)).await();
      Executions after = new Executions(ApiClient.create(vertx, second.httpPort(), AgentFixture.ADMIN_TOKEN));
      JsonObject done = after.awaitEnd("crash", id, Duration.ofSeconds(90));
      assertEquals("Succeeded", done.getString("lifecycle"), done.encode());

      List<JsonObject> rows = after.targets("crash", id);
      assertEquals(2 * TARGETS, rows.size(), "one row per step and target");
      rows.forEach(row -> assertEquals("Succeeded", row.getString("lifecycle"), row.encode()));
      rows.forEach(row -> assertEquals(1, row.getInteger("currentAttempts"), "no attempt spent: " + row.encode()));
      assertTrue(queryInt(database, "SELECT count(*) FROM jobs_internal.target_executions WHERE job_execution_id = '"
        + id + "' AND lease_losses > 0") > 0, "the interrupted targets ran again after their leases expired");
      assertEquals(2 * TARGETS, successesCounted(database), "each target's success was counted once");
    } finally {
      if (first != null) {
        first.close();
      }
      if (second != null) {
        second.stop().await();
      }
      fleet.handle((created, failure) -> null).join();
      server.close();
    }
  }

  private static int countInProgress(String database, String id) throws Exception {
    return queryInt(database, "SELECT count(*) FROM jobs_internal.target_executions WHERE job_execution_id = '" + id
      + "' AND lifecycle = 'InProgress'");
  }

  private static int successesCounted(String database) throws Exception {
    return queryInt(database, "SELECT coalesce(sum(count), 0) FROM jobs_internal.metric_counts"
      + " WHERE job_name = 'crash' AND metric_name = 'elastic_jobs_successful'");
  }

  private static int queryInt(String database, String query) throws Exception {
    try (Connection db = TestPostgres.connect(database, "postgres"); Statement sql = db.createStatement();
         ResultSet row = sql.executeQuery(query)) {
      row.next();
      return row.getInt(1);
    }
  }
}
