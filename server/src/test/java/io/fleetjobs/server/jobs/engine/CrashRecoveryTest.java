package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.ApiClient;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private static final Pattern API = Pattern.compile("API:\\s+http://localhost:(\\d+)/api/v1");

  @Test
  void an_agent_killed_mid_run_loses_nothing_and_doubles_nothing(Vertx vertx, @TempDir Path dir) throws Exception {
    TargetServer server = TargetServer.start();
    String database = TestPostgres.newDatabase("crash");
    JsonObject config = AgentFixture.config(database).put("leaseSeconds", 3);

    Process first = startAgentProcess(config, dir.resolve("first.log"));
    Agent second = null;
    try {
      ApiClient api = ApiClient.create(vertx, awaitPort(first, dir.resolve("first.log")), AgentFixture.ADMIN_TOKEN);
      Scenario.on(api)
        .fleet(server, DATABASES)
        .credential("job")
        .group("crash", DATABASES)
        .job("crash")
        .step("sleep", "SELECT pg_sleep(2)").retryAttempts(0)
        .step("after", "SELECT 1").retryAttempts(0)
        .create();
      Executions before = new Executions(api);
      String id = before.start("crash");
      before.awaitTarget("crash", id, t -> t.getString("lifecycle").equals("InProgress"), Duration.ofSeconds(60));

      first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
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
      first.destroyForcibly();
      if (second != null) {
        second.stop().await();
      }
      server.close();
    }
  }

  private static Process startAgentProcess(JsonObject config, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
      "io.fleetjobs.server.Main");
    Map<String, String> env = builder.environment();
    env.put("FLEETJOBS_HTTP_PORT", "0");
    env.put("FLEETJOBS_DB_URL", config.getString("dbUrl"));
    env.put("FLEETJOBS_MASTER_KEY", config.getString("masterKey"));
    env.put("FLEETJOBS_BOOTSTRAP_ADMIN_TOKEN", AgentFixture.ADMIN_TOKEN);
    env.put("FLEETJOBS_LEASE_SECONDS", "3");
    env.put("FLEETJOBS_DISPATCH_INTERVAL_MS", "50");
    return builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static int awaitPort(Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      File file = log.toFile();
      if (file.exists()) {
        Matcher port = API.matcher(Files.readString(log));
        if (port.find()) {
          return Integer.parseInt(port.group(1));
        }
      }
      Executions.sleep(100);
    }
    throw new AssertionError("The agent process did not start:\n" + Files.readString(log));
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
