package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Steps on PostgreSQL targets run their scripts as psql does, seen through the API: what lastMessage says,
 * what stays committed, what a DBA sees in pg_stat_activity, and what the agent's log never holds.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PostgresScriptsTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private static AgentFixture agent;
  private static TargetServer targets;
  private static Executions executions;

  @BeforeAll
  static void start(Vertx vertx) {
    logs.start();
    root().addAppender(logs);
    targets = TargetServer.start();
    targets.createDatabases("scripts_a", "scripts_out");
    targets.execute("postgres", "CREATE ROLE fleet_job LOGIN PASSWORD 'job-secret' SUPERUSER");
    agent = AgentFixture.start(vertx, "pg_scripts");
    executions = new Executions(agent.admin());
    agent.admin().put("/credentials/job", new JsonObject().put("username", "fleet_job").put("password", "job-secret"));
    agent.admin().put("/targetGroups/one", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlDatabase").put("serverName", targets.serverName())
        .put("databaseName", "scripts_a"))));
  }

  @AfterAll
  static void stop() {
    root().detachAppender(logs);
    agent.close();
    targets.close();
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @Test
  void notices_follow_the_status_line_and_never_reach_the_agent_log() {
    JsonObject target = runOnce("noticed", step("""
      DO $$ BEGIN RAISE NOTICE 'checked % tables', 3; END $$;
      VACUUM;
      ANALYZE;"""));
    assertEquals("Succeeded", target.getString("lifecycle"), target.encode());
    assertTrue(target.getString("lastMessage").endsWith(".\nMessages:\nNOTICE: checked 3 tables"),
      target.getString("lastMessage"));
    assertEquals(List.of(), logs.list.stream()
      .map(ILoggingEvent::getFormattedMessage)
      .filter(line -> line.contains("checked 3 tables") || line.contains("Backend notice"))
      .toList(), "the target's notices are the script's output, not the agent's");
  }

  @Test
  void a_failing_statement_is_named_with_its_line_and_the_statements_before_it_stay_committed() {
    JsonObject target = runOnce("third-fails", step("""
      CREATE TABLE kept_e2e (x int);
      INSERT INTO kept_e2e VALUES (1);
      SELECT 1 / 0;"""));
    assertEquals("Failed", target.getString("lifecycle"), target.encode());
    assertTrue(target.getString("lastMessage").contains("failed on target (server '" + targets.serverName()
      + "', database 'scripts_a'): statement 3 (line 3): ERROR: division by zero (22012); not retried: a data "
      + "exception (22012)"), target.getString("lastMessage"));
    assertEquals(List.of("1"), targets.column("scripts_a", "SELECT count(*) FROM kept_e2e"));
  }

  @Test
  void the_script_transaction_option_makes_the_script_all_or_nothing() {
    JsonObject target = runOnce("all-or-nothing", step("""
      CREATE TABLE rolled_back_e2e (x int);
      INSERT INTO rolled_back_e2e VALUES (1);
      SELECT 1 / 0;""").put("executionOptions", new JsonObject().put("retryAttempts", 0).put("transaction", "Script")));
    assertEquals("Failed", target.getString("lifecycle"), target.encode());
    assertEquals(List.of("0"), targets.column("scripts_a",
      "SELECT count(*) FROM pg_tables WHERE tablename = 'rolled_back_e2e'"));
  }

  @Test
  void a_dba_finds_the_steps_sessions_by_application_name_and_can_end_them() {
    job("dba-visible", "sleepy", step("SELECT pg_sleep(60) /* dba-marker */"));
    String id = executions.start("dba-visible");
    String sessions = "SELECT application_name FROM pg_stat_activity WHERE query LIKE '%dba-marker%'"
      + " AND query NOT LIKE '%pg_stat_activity%'";
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (targets.column("postgres", sessions).isEmpty() && System.nanoTime() < deadline) {
      Executions.sleep(50);
    }
    assertEquals(List.of("fleetjobs/dba-visible/sleepy"), targets.column("postgres", sessions));
    assertEquals(List.of("t"), targets.column("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
      + " WHERE application_name = 'fleetjobs/dba-visible/sleepy'"));
    JsonObject done = executions.awaitEnd("dba-visible", id, PATIENCE);
    assertEquals("Failed", done.getString("lifecycle"), "the step whose session was ended failed: " + done.encode());
  }

  @Test
  void an_output_step_whose_script_returns_no_result_set_succeeds_and_says_so() {
    JsonObject target = runOnce("quiet-output", step("CREATE TABLE quiet (x int); INSERT INTO quiet VALUES (1)")
      .put("output", new JsonObject().put("serverName", targets.serverName()).put("databaseName", "scripts_out")
        .put("tableName", "never_made").put("credential", "job")));
    assertEquals("Succeeded", target.getString("lifecycle"), target.encode());
    assertTrue(target.getString("lastMessage").endsWith("The script returned no result set, so no rows were written "
      + "to the output table."), target.getString("lastMessage"));
    assertEquals(List.of("0"), targets.column("scripts_out",
      "SELECT count(*) FROM pg_tables WHERE tablename = 'never_made'"));
  }

  @Test
  void a_tsql_step_on_postgresql_honours_go_batches() {
    String script = """
      CREATE TABLE go_marks (n int)
      GO
      INSERT INTO go_marks VALUES (1)
      GO 2""";
    JsonObject step = step(script);
    step.getJsonObject("action").put("type", "TSql");
    JsonObject target = runOnce("go-batches", step);
    assertEquals("Succeeded", target.getString("lifecycle"), target.encode());
    assertEquals(List.of("2"), targets.column("scripts_a", "SELECT count(*) FROM go_marks"));
  }

  /** Runs a one-step job once on the group and returns its one target row. */
  private static JsonObject runOnce(String name, JsonObject step) {
    job(name, "s", step);
    String id = executions.start(name);
    executions.awaitEnd(name, id, PATIENCE);
    return executions.targets(name, id).get(0);
  }

  private static void job(String name, String stepName, JsonObject step) {
    agent.admin().put("/jobs/" + name, new JsonObject());
    HttpResponse<Buffer> saved = agent.admin().put("/jobs/" + name + "/steps/" + stepName, step);
    assertTrue(saved.statusCode() < 300, saved.bodyAsString());
  }

  private static JsonObject step(String command) {
    return new JsonObject().put("targetGroup", "one").put("credential", "job")
      .put("action", new JsonObject().put("value", command))
      .put("executionOptions", new JsonObject().put("retryAttempts", 0));
  }
}
