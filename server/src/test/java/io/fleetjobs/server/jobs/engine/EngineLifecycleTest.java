package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.bus.Addresses;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lifecycle semantics of Elastic Jobs, run for real on PostgreSQL target databases. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EngineLifecycleTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("engine_life");
  private static final TargetServer targets = agent.targetServer();
  private static final Executions executions = new Executions(agent);
  private static final Scenario scenario = Scenario.on(agent);
  private static final List<JsonObject> finishedEvents = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void setUp() {
    targets.execute("postgres", "CREATE ROLE fleet_job LOGIN PASSWORD 'job-secret' SUPERUSER");
    agent.vertx().eventBus().<JsonObject>consumer(Addresses.TARGET_FINISHED,
      message -> finishedEvents.add(message.body()));
    scenario.fleet(targets, "life_a", "life_b", "life_c")
      .credential("job", "fleet_job", "job-secret")
      .group("three", "life_a", "life_b", "life_c")
      .group("one", "life_a")
      .create();
  }

  @Test
  void steps_run_in_order_across_every_target_and_the_tree_is_recorded() throws Exception {
    scenario.job("ordered")
      .targetGroup("three")
      .step("s1", "CREATE TABLE IF NOT EXISTS ordered_mark (step int); INSERT INTO ordered_mark VALUES ($(step_id))")
      .step("s2", "INSERT INTO ordered_mark SELECT $(step_id) WHERE EXISTS (SELECT 1 FROM ordered_mark WHERE step = 1)")
      .create();
    String id = executions.start("ordered");
    JsonObject done = executions.awaitEnd("ordered", id, PATIENCE);
    assertEquals("Succeeded", done.getString("lifecycle"), done.encode());
    assertNotNull(done.getString("startTime"));
    assertNotNull(done.getString("endTime"));

    List<JsonObject> steps = executions.steps("ordered", id);
    assertEquals(List.of("Succeeded", "Succeeded"), steps.stream().map(s -> s.getString("lifecycle")).toList());
    List<JsonObject> rows = executions.targets("ordered", id);
    assertEquals(6, rows.size());
    rows.forEach(row -> {
      assertEquals("Succeeded", row.getString("lifecycle"));
      assertEquals(1, row.getInteger("currentAttempts"));
      assertEquals("SqlDatabase", row.getJsonObject("target").getString("type"));
      assertTrue(row.getString("lastMessage").contains("succeeded execution on target"), row.getString("lastMessage"));
    });
    for (String database : List.of("life_a", "life_b", "life_c")) {
      assertEquals(List.of("1", "2"), targets.column(database, "SELECT step FROM ordered_mark ORDER BY step"),
        "step 2 ran after step 1 had finished on " + database);
    }

    try (Connection db = agent.jdbc(); Statement sql = db.createStatement();
         ResultSet view = sql.executeQuery("SELECT count(*) FILTER (WHERE step_id IS NULL), count(*) FILTER (WHERE "
           + "target_type = 'TargetGroup'), count(*) FILTER (WHERE target_type = 'SqlDatabase') FROM jobs.job_executions"
           + " WHERE job_execution_id = '" + id + "'")) {
      view.next();
      assertEquals(1, view.getInt(1), "one parent row");
      assertEquals(2, view.getInt(2), "one row per step");
      assertEquals(6, view.getInt(3), "one row per target of each step");
    }
    long events = finishedEvents.stream().filter(e -> e.getString("jobExecutionId").equals(id)).count();
    assertEquals(6, events, "every finished target was published on the event bus");
  }

  @Test
  void variables_are_substituted_before_the_script_runs() {
    scenario.job("variables")
      .step("s1", "CREATE TABLE IF NOT EXISTS seen_vars AS SELECT '$(job_name)'::text AS job_name, "
        + "'$(job_execution_id)'::uuid AS execution, $(step_id) AS step, '$(target_group_name)'::text AS grp "
        + "WITH NO DATA;"
        + "INSERT INTO seen_vars VALUES ('$(job_name)', '$(job_execution_id)', $(step_id), '$(target_group_name)')")
      .create();
    String id = executions.start("variables");
    assertEquals("Succeeded", executions.awaitEnd("variables", id, PATIENCE).getString("lifecycle"));
    assertEquals(List.of("variables " + id + " 1 one"), targets.column("life_a",
      "SELECT job_name || ' ' || execution || ' ' || step || ' ' || grp FROM seen_vars WHERE execution = '" + id + "'"));
  }

  @Test
  void a_literal_variable_carries_any_name_into_the_script_as_a_string() {
    // The reported breakout, with a backslash before the quote for servers without standard_conforming_strings.
    String name = "x\\'; DROP TABLE literal_victim; SELECT '";
    String job = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    targets.execute("life_a", "CREATE TABLE literal_victim (x int)");
    agent.admin().put("/jobs/" + job, new JsonObject());
    HttpResponse<Buffer> saved = agent.admin().put("/jobs/" + job + "/steps/it's", new JsonObject()
      .put("targetGroup", "one").put("credential", "job").put("action", new JsonObject().put("value",
        "CREATE TABLE IF NOT EXISTS literal_names (job text, step text);"
          + "INSERT INTO literal_names VALUES ($(job_name_literal), $(step_name_literal))")));
    assertEquals(201, saved.statusCode(), saved.bodyAsString());
    String id = executions.start(job);
    assertEquals("Succeeded", executions.awaitEnd(job, id, PATIENCE).getString("lifecycle"));
    assertEquals(List.of(name + " | it's"), targets.column("life_a", "SELECT job || ' | ' || step FROM literal_names"));
    assertEquals(List.of("0"), targets.column("life_a", "SELECT count(*) FROM literal_victim"), "the table is still there");
  }

  @Test
  void failures_retry_with_backoff_and_end_failed_with_the_database_error() {
    // retryOn Any retries even a division by zero, as Elastic Jobs retries every failure.
    scenario.job("failing")
      .step("s1", "SELECT 1/0")
      .retryAttempts(2)
      .retryBackoff(1, 2.0)
      .retryOn("Any")
      .create();
    String id = executions.start("failing");
    List<Instant> attemptStarts = new ArrayList<>();
    JsonObject waiting = null;
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    JsonObject execution = executions.get("failing", id);
    while (execution.getBoolean("isActive") && System.nanoTime() < deadline) {
      for (JsonObject target : executions.targets("failing", id)) {
        String started = target.getString("currentAttemptStartTime");
        if (started != null && !attemptStarts.contains(Instant.parse(started))) {
          attemptStarts.add(Instant.parse(started));
        }
        if (target.getString("lifecycle").equals("WaitingForRetry")) {
          waiting = target;
        }
      }
      Executions.sleep(20);
      execution = executions.get("failing", id);
    }
    assertEquals("Failed", execution.getString("lifecycle"), execution.encode());
    JsonObject target = executions.targets("failing", id).get(0);
    Instant lastStart = Instant.parse(target.getString("currentAttemptStartTime"));
    if (!attemptStarts.contains(lastStart)) {
      attemptStarts.add(lastStart);
    }
    assertEquals("Failed", target.getString("lifecycle"));
    assertEquals(3, target.getInteger("currentAttempts"), "retryAttempts 2 means three attempts");
    assertTrue(target.getString("lastMessage").contains("division by zero"), target.getString("lastMessage"));
    assertNotNull(waiting, "between attempts the target was WaitingForRetry");
    assertNotNull(waiting.getString("nextAttemptStartTime"));
    assertEquals(3, attemptStarts.size(), "saw every attempt start: " + attemptStarts);
    long firstGap = Duration.between(attemptStarts.get(0), attemptStarts.get(1)).toMillis();
    long secondGap = Duration.between(attemptStarts.get(1), attemptStarts.get(2)).toMillis();
    assertTrue(firstGap >= 1000 && firstGap < 4000, "first retry after about 1 s, was " + firstGap + " ms");
    assertTrue(secondGap >= 2000 && secondGap < 5000, "second retry after about 2 s, was " + secondGap + " ms");
    assertTrue(execution.getString("lastMessage").contains("division by zero"), execution.getString("lastMessage"));
  }

  @Test
  void a_failed_step_stops_the_later_steps() {
    scenario.job("stops")
      .step("s1", "SELECT 1/0")
      .retryAttempts(0)
      .step("s2", "CREATE TABLE never_created ()")
      .create();
    String id = executions.start("stops");
    assertEquals("Failed", executions.awaitEnd("stops", id, PATIENCE).getString("lifecycle"));
    assertEquals(1, executions.steps("stops", id).size(), "step 2 never started");
    assertEquals(List.of(), targets.column("life_a", "SELECT 1 FROM pg_tables WHERE tablename = 'never_created'"));
  }

  @Test
  void a_target_that_is_down_fails_with_the_real_connection_error() {
    scenario.group("down")
      .databasesOn("127.0.0.1:1", "gone")
      .job("down")
      .step("s1", "SELECT 1")
      .retryAttempts(0)
      .create();
    String id = executions.start("down");
    assertEquals("Failed", executions.awaitEnd("down", id, PATIENCE).getString("lifecycle"));
    String message = executions.targets("down", id).get(0).getString("lastMessage");
    assertTrue(message.toLowerCase().contains("connection refused"), message);
  }

  @Test
  void a_timeout_cancels_the_statement_on_the_target_and_is_retried() {
    scenario.job("slow")
      .step("s1", "SELECT pg_sleep(60) /* slow-timeout-marker */")
      .timeoutSeconds(1)
      .retryAttempts(1)
      .create();
    String id = executions.start("slow");
    JsonObject done = executions.awaitEnd("slow", id, PATIENCE);
    assertEquals("TimedOut", done.getString("lifecycle"), done.encode());
    JsonObject target = executions.targets("slow", id).get(0);
    assertEquals("TimedOut", target.getString("lifecycle"));
    assertEquals(2, target.getInteger("currentAttempts"), "a timeout is transient: retried while attempts are left");
    assertEquals("prefer", target.getJsonObject("target").getString("sslMode"), "the agent's default, as libpq's");
    awaitNoQuery("slow-timeout-marker");
  }

  /**
   * The server has no TLS, so prefer and allow sessions are plain: their cancel requests go in the clear. In
   * prefer, vertx-pg-client's own cancel tried TLS first and never finished on the executors' worker context.
   */
  @Test
  void a_timeout_cancels_the_statement_of_a_prefer_or_allow_member_on_a_server_without_tls() {
    scenario.group("negotiating", "life_b", "life_c")
      .sslMode("life_b", "prefer")
      .sslMode("life_c", "allow")
      .job("negotiating")
      .step("s1", "SELECT pg_sleep(60) /* negotiating-marker */")
      .timeoutSeconds(1)
      .retryAttempts(0)
      .create();
    String id = executions.start("negotiating");
    JsonObject done = executions.awaitEnd("negotiating", id, PATIENCE);
    assertEquals("TimedOut", done.getString("lifecycle"), done.encode());
    List<JsonObject> rows = executions.targets("negotiating", id);
    assertEquals(Set.of("prefer", "allow"), rows.stream()
      .map(row -> row.getJsonObject("target").getString("sslMode"))
      .collect(Collectors.toSet()));
    Executions.assertEndedByTheCancel(rows, "TimedOut");
    awaitNoQuery("negotiating-marker");
  }

  @Test
  void cancel_stops_running_statements_and_ends_every_active_row_canceled() {
    scenario.job("cancelled")
      .targetGroup("three")
      .step("s1", "SELECT pg_sleep(60) /* cancel-marker */")
      .step("s2", "SELECT 1")
      .create();
    String id = executions.start("cancelled");
    executions.awaitTarget("cancelled", id, t -> t.getString("lifecycle").equals("InProgress"), PATIENCE);
    HttpResponse<Buffer> cancel = agent.admin().post("/jobs/cancelled/executions/" + id + "/cancel", new JsonObject());
    assertEquals(200, cancel.statusCode(), cancel.bodyAsString());
    JsonObject done = executions.awaitEnd("cancelled", id, Duration.ofSeconds(20));
    assertEquals("Canceled", done.getString("lifecycle"), done.encode());
    executions.targets("cancelled", id).forEach(t -> assertEquals("Canceled", t.getString("lifecycle"), t.encode()));
    assertEquals(1, executions.steps("cancelled", id).size(), "the second step never started");
    awaitNoQuery("cancel-marker");
  }

  @Test
  void cancel_wins_over_a_failure_seen_before_it() {
    scenario.group("mixed", "life_b")
      .databasesOn("127.0.0.1:1", "gone")
      .job("mixed")
      .step("s1", "SELECT pg_sleep(60) /* mixed-marker */")
      .retryAttempts(0)
      .create();
    String id = executions.start("mixed");
    executions.awaitTarget("mixed", id, t -> t.getString("lifecycle").equals("Failed"), PATIENCE);
    agent.admin().post("/jobs/mixed/executions/" + id + "/cancel", new JsonObject());
    JsonObject done = executions.awaitEnd("mixed", id, Duration.ofSeconds(20));
    assertEquals("Canceled", done.getString("lifecycle"), "a cancelled run ends Canceled: " + done.encode());
    assertEquals(Set.of("Failed", "Canceled"), executions.targets("mixed", id).stream()
      .map(t -> t.getString("lifecycle")).collect(Collectors.toSet()), "each target keeps what really happened");
    awaitNoQuery("mixed-marker");
  }

  @Test
  void a_target_still_busy_from_an_earlier_execution_is_skipped() {
    scenario.job("overlap")
      .step("s1", "SELECT pg_sleep(3)")
      .create();
    String first = executions.start("overlap");
    executions.awaitTarget("overlap", first, t -> t.getString("lifecycle").equals("InProgress"), PATIENCE);
    String second = executions.start("overlap");
    JsonObject skipped = executions.awaitEnd("overlap", second, PATIENCE);
    assertEquals("SucceededWithSkipped", skipped.getString("lifecycle"), skipped.encode());
    assertEquals("Skipped", executions.targets("overlap", second).get(0).getString("lifecycle"));
    assertEquals("Succeeded", executions.awaitEnd("overlap", first, PATIENCE).getString("lifecycle"));
  }

  @Test
  void skip_execution_policy_skips_the_whole_new_run() {
    scenario.job("single")
      .overlapPolicy("SkipExecution")
      .step("s", "SELECT pg_sleep(2)")
      .create();
    String first = executions.start("single");
    String second = executions.start("single");
    assertEquals("Skipped", executions.get("single", second).getString("lifecycle"));
    assertEquals("Succeeded", executions.awaitEnd("single", first, PATIENCE).getString("lifecycle"));
  }

  @Test
  void an_execution_runs_the_version_it_started_with() {
    scenario.job("pinned")
      .step("s1", "SELECT pg_sleep(1.5)")
      .step("s2", "CREATE TABLE pinned_v1 ()")
      .create();
    String id = executions.start("pinned");
    executions.awaitTarget("pinned", id, t -> t.getString("lifecycle").equals("InProgress"), PATIENCE);
    scenario.job("pinned")
      .step("s2", "CREATE TABLE pinned_v2 ()")
      .create();
    JsonObject done = executions.awaitEnd("pinned", id, PATIENCE);
    assertEquals("Succeeded", done.getString("lifecycle"), done.encode());
    assertEquals(2, done.getInteger("jobVersion"), "started on version 2; the edit made version 3");
    assertEquals(List.of("pinned_v1"), targets.column("life_a",
      "SELECT tablename FROM pg_tables WHERE tablename LIKE 'pinned_v%'"));
  }

  @Test
  void starting_with_the_same_execution_id_twice_gives_one_execution() {
    scenario.job("idempotent")
      .step("s1", "SELECT 1")
      .create();
    String id = UUID.randomUUID().toString();
    HttpResponse<Buffer> first = agent.admin().put("/jobs/idempotent/executions/" + id, new JsonObject());
    HttpResponse<Buffer> second = agent.admin().put("/jobs/idempotent/executions/" + id, new JsonObject());
    assertEquals(201, first.statusCode(), first.bodyAsString());
    assertEquals(200, second.statusCode());
    assertEquals(id, second.bodyAsJsonObject().getString("jobExecutionId"));
    executions.awaitEnd("idempotent", id, PATIENCE);
    JsonArray all = agent.admin().get("/jobs/idempotent/executions").bodyAsJsonObject().getJsonArray("value");
    assertEquals(1, all.size());
  }

  @Test
  void start_answers_202_with_the_created_execution_and_its_location() {
    scenario.job("located")
      .step("s1", "SELECT 1")
      .create();
    HttpResponse<Buffer> started = agent.admin().post("/jobs/located/start", new JsonObject());
    assertEquals(202, started.statusCode());
    String id = started.bodyAsJsonObject().getString("jobExecutionId");
    assertTrue(Set.of("Created", "InProgress").contains(started.bodyAsJsonObject().getString("lifecycle")));
    assertEquals("/api/v1/jobs/located/executions/" + id, started.getHeader("Location"));
    assertEquals(403, agent.as("reader").post("/jobs/located/start", new JsonObject()).statusCode());
    assertEquals(202, agent.as("operator").post("/jobs/located/start", new JsonObject()).statusCode());
  }

  private static void awaitNoQuery(String marker) {
    assertEquals(List.of(), targets.stillRunning(marker, Duration.ofSeconds(10)),
      "the statement still runs on the target (pids)");
  }

  static String joined(List<JsonObject> rows, String field) {
    return rows.stream().map(row -> row.getString(field)).collect(Collectors.joining(","));
  }
}
