package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.targets.jdbc.PostgresJdbcDialect;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Jobs on sqlserver targets through the whole engine: the agent's sqlserver driver with the test dialect
 * (PostgresJdbcDialect) runs every step over JDBC against a real PostgreSQL, so enumeration,
 * batches, messages, output, timeouts and the API's view of them are the sqlserver engine's own code.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SqlServerEngineTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("sqlserver_engine")
    .withSqlserverDialect(new PostgresJdbcDialect());
  private static final TargetServer server = agent.targetServer();
  private static final Executions executions = new Executions(agent);
  private static final Scenario scenario = Scenario.on(agent);

  @BeforeAll
  static void setUp() {
    scenario.fleet(server, "sq_a", "sq_b", "sq_results")
      .engine("sqlserver")
      .credential("refresh")
      .credential("job")
      .group("fleet")
      .everyDatabase("refresh")
      .exclude("sq_results")
      .group("one", "sq_a")
      .create();
  }

  @Test
  void a_dry_run_sends_nothing_through_a_dialect_without_dry_runs_and_says_why() {
    server.execute("sq_a", "CREATE TABLE dry_guard (x int)", "INSERT INTO dry_guard VALUES (0)");
    scenario.targetGroup("one").job("dry-on-sqlserver").step("s1", "UPDATE dry_guard SET x = 1").create();
    String id = agent.as("operator").post("/jobs/dry-on-sqlserver/start", new JsonObject().put("dryRun", true))
      .bodyAsJsonObject().getString("jobExecutionId");
    assertEquals("Failed", executions.awaitEnd("dry-on-sqlserver", id, PATIENCE).getString("lifecycle"));
    JsonObject target = executions.targets("dry-on-sqlserver", id).get(0);
    assertTrue(target.getString("lastMessage")
        .contains("cannot be dry-run: this agent's sqlserver driver runs no dry runs"),
      target.getString("lastMessage"));
    assertEquals(1, target.getInteger("currentAttempts"), "not retried");
    assertEquals(List.of("0"), server.column("sq_a", "SELECT x FROM dry_guard"), "never run for real");
  }

  private static JsonObject member(String type) {
    return new JsonObject().put("type", type).put("engine", "sqlserver").put("serverName", server.serverName());
  }

  @Test
  void a_server_member_is_enumerated_over_jdbc_and_the_preview_names_the_authentication() {
    JsonObject preview = agent.admin().get("/targetGroups/fleet/targets/preview").bodyAsJsonObject();
    assertEquals(List.of("sq_a:SqlLogin:sqlserver", "sq_b:SqlLogin:sqlserver"), preview.getJsonArray("targets").stream()
      .map(JsonObject.class::cast)
      .map(t -> t.getString("databaseName") + ":" + t.getString("authentication") + ":" + t.getString("engine"))
      .sorted().toList(), preview.encode());
  }

  @Test
  void with_an_agent_identity_sqlserver_targets_show_it_and_postgresql_targets_keep_their_login(Vertx vertx) {
    AgentFixture withIdentity = AgentFixture.start(vertx, "sqlserver_identity", new JsonObject()
      .put("entraMode", "ManagedIdentity")
      .put("entraClientId", "00000000-0000-0000-0000-000000000001"));
    try {
      Scenario.on(withIdentity)
        .fleet(server)
        .engine("sqlserver")
        .group("mixed", "sq_a")
        // The same server again, named as a PostgreSQL target.
        .databasesOn(server.serverName(), "sq_b")
        .create();
      JsonObject preview = withIdentity.admin().get("/targetGroups/mixed/targets/preview").bodyAsJsonObject();
      assertEquals(List.of("sq_a:sqlserver:ManagedIdentity", "sq_b:postgresql:SqlLogin"),
        preview.getJsonArray("targets").stream()
          .map(JsonObject.class::cast)
          .map(t -> t.getString("databaseName") + ":" + t.getString("engine") + ":" + t.getString("authentication"))
          .sorted().toList(), preview.encode());
    } finally {
      withIdentity.close();
    }
  }

  @Test
  void batches_run_their_messages_reach_last_message_and_the_first_result_set_reaches_the_output_table() {
    scenario.job("report")
      .targetGroup("fleet")
      .step("collect", """
        CREATE TEMP TABLE seen (step int)
        GO
        INSERT INTO seen VALUES ($(step_id))
        GO 2
        DO $$ BEGIN RAISE NOTICE 'counted on %', current_database(); END $$;
        SELECT current_database() AS db, count(*)::int AS inserts FROM seen
        """)
      .retryAttempts(0)
      .output("sq_results", "public", "report")
      .create();
    String id = executions.start("report");
    assertEquals("Succeeded", executions.awaitEnd("report", id, PATIENCE).getString("lifecycle"),
      executions.targets("report", id).toString());
    for (JsonObject target : executions.targets("report", id)) {
      String message = target.getString("lastMessage");
      assertTrue(message.endsWith("succeeded execution on target (server '" + server.serverName() + "', database '"
        + target.getJsonObject("target").getString("databaseName") + "').\nMessages:\ncounted on "
        + target.getJsonObject("target").getString("databaseName")), message);
      assertEquals("sqlserver", target.getJsonObject("target").getString("engine"));
      assertEquals("SqlLogin", target.getJsonObject("target").getString("authentication"),
        "each target row says how the agent signed in there");
    }
    assertEquals(List.of(id + " sq_a 2", id + " sq_b 2"), server.column("sq_results",
      "SELECT internal_execution_id || ' ' || db || ' ' || inserts FROM public.report ORDER BY db"));
  }

  /**
   * The test dialect names a connection after the certificate setting it opened with (the test servers have
   * no TLS to trust or verify): what the endpoint was given shows in pg_stat_activity and to the script.
   */
  @Test
  void a_member_that_trusts_its_server_certificate_connects_so_and_shares_no_connection_with_one_that_does_not() {
    String script = "DO $$ BEGIN RAISE NOTICE 'connected as %', current_setting('application_name'); END $$;";
    scenario.group("trusting", "sq_a")
      .trustServerCertificate()
      .job("tls")
      .step("trusting", script)
      .retryAttempts(0)
      .targetGroup("one")
      .step("verifying", script)
      .retryAttempts(0)
      .create();
    String id = executions.start("tls");
    assertEquals("Succeeded", executions.awaitEnd("tls", id, PATIENCE).getString("lifecycle"),
      executions.targets("tls", id).toString());
    List<String> connected = executions.targets("tls", id).stream()
      .sorted(java.util.Comparator.comparing(target -> target.getInteger("stepId")))
      .map(target -> target.getString("lastMessage"))
      .map(message -> message.substring(message.lastIndexOf('\n') + 1))
      .toList();
    assertEquals(List.of("connected as fleetjobs/tls/trusting trustServerCertificate",
        "connected as fleetjobs/tls/verifying"), connected,
      "the same database, once through each member: each step connected with its own member's setting, "
        + "in a session named after the step");

    JsonObject preview = agent.admin().put("/targetGroups/trusting-fleet", new JsonObject().put("members",
      new JsonArray().add(member("SqlServer").put("refreshCredential", "refresh").put("trustServerCertificate", true))))
      .bodyAsJsonObject();
    assertEquals(true, preview.getJsonArray("members").getJsonObject(0).getBoolean("trustServerCertificate"));
    assertEquals(List.of("sq_a", "sq_b", "sq_results"), agent.admin().get("/targetGroups/trusting-fleet/targets/preview")
      .bodyAsJsonObject().getJsonArray("targets").stream()
      .map(target -> ((JsonObject) target).getString("databaseName"))
      .sorted().toList());
    agent.admin().get("/targetGroups/fleet/targets/preview");
    // Pooled connections stay open a while after use: enumeration left one of each setting on master's stand-in.
    assertEquals(List.of("fleetjobs", "fleetjobs trustServerCertificate"), server.column("postgres",
      "SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = 'postgres' "
        + "AND application_name LIKE 'fleetjobs%' ORDER BY 1"));
  }

  @Test
  void a_timed_out_step_is_cancelled_on_the_server_and_ends_timed_out() {
    scenario.job("slow")
      .step("sleep",
        "DO $$ BEGIN RAISE NOTICE 'reached the slow part'; END $$\nGO\nSELECT 'fleetjobs-slow-step', pg_sleep(120)")
      .timeoutSeconds(2)
      .retryAttempts(0)
      .create();
    String id = executions.start("slow");
    assertEquals("TimedOut", executions.awaitEnd("slow", id, PATIENCE).getString("lifecycle"));
    String target = executions.targets("slow", id).get(0).getString("lastMessage");
    assertTrue(target.contains("timed out") && target.contains("cancelled on the server"), target);
    assertTrue(target.endsWith("Messages:\nreached the slow part"), "what it printed before it was stopped: " + target);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> active;
    do {
      active = server.column("postgres", "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
        + "AND query LIKE 'SELECT ''fleetjobs-slow-step''%'");
      Executions.sleep(50);
    } while (!active.equals(List.of("0")) && System.nanoTime() < deadline);
    assertEquals(List.of("0"), active, "the statement no longer runs on the target");
  }
}
