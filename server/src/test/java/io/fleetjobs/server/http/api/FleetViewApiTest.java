package io.fleetjobs.server.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fleet view's API on a real fleet: 12 databases of one server, of which 3 miss a table and 2 divide by
 * zero. Target lists filter, search, sort and count; the summary counts per step; failures group by cause;
 * every attempt is kept; and the fleet state says who is behind, as the job and its fleet change.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetViewApiTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String JOB = "/jobs/migrate-fleet";
  private static final List<String> OK = names("fv_ok_", 7);
  private static final List<String> MISSING = names("fv_missing_", 3);
  private static final List<String> ZERO = names("fv_zero_", 2);
  /** Fails where the marker table is missing: a missing relation on fv_missing_*, a division by zero on fv_zero_*. */
  private static final String MIGRATE = """
      DO $$ BEGIN
        IF current_database() LIKE 'fv_missing%' THEN EXECUTE 'SELECT 1 FROM fleet_marker'; END IF;
        IF current_database() LIKE 'fv_zero%' THEN
          PERFORM 1 / (SELECT count(*)::int FROM pg_tables WHERE tablename = 'fleet_marker');
        END IF;
      END $$""";

  private static AgentFixture agent;
  private static TargetServer server;
  private static Executions executions;
  private static String failed;

  @BeforeAll
  static void start(Vertx vertx) {
    server = TargetServer.start();
    List<String> all = new ArrayList<>(OK);
    all.addAll(MISSING);
    all.addAll(ZERO);
    server.createDatabases(all.toArray(String[]::new));
    agent = AgentFixture.start(vertx, "fleet_view_api");
    executions = new Executions(agent.admin());
    ok(agent.admin().put("/credentials/job", new JsonObject().put("username", "postgres").put("password", "x")));
    group();
    ok(agent.admin().put(JOB, new JsonObject()));
    step("prepare", "SELECT 1");
    step("migrate", MIGRATE);
    failed = executions.start("migrate-fleet");
    assertEquals("Failed", executions.awaitEnd("migrate-fleet", failed, PATIENCE).getString("lifecycle"));
  }

  @AfterAll
  static void stop() {
    agent.close();
    server.close();
  }

  @Test
  @Order(1)
  void the_summary_counts_each_step_and_the_whole_run_in_the_job_database() {
    JsonObject summary = get(JOB + "/executions/" + failed + "/summary");
    assertEquals("Failed", summary.getString("lifecycle"));
    assertEquals(false, summary.getBoolean("isActive"));
    JsonObject total = summary.getJsonObject("targets");
    assertEquals(24, total.getInteger("total"), summary.encodePrettily());
    assertEquals(24, total.getInteger("done"));
    assertEquals(19, total.getInteger("succeeded"));
    assertEquals(5, total.getInteger("failed"));
    assertEquals(0, total.getInteger("waiting"));
    JsonArray steps = summary.getJsonArray("steps");
    assertEquals(List.of("prepare", "migrate"), steps.stream().map(s -> ((JsonObject) s).getString("stepName")).toList());
    assertEquals(12, steps.getJsonObject(0).getJsonObject("targets").getInteger("succeeded"));
    assertEquals(5, steps.getJsonObject(1).getJsonObject("targets").getJsonObject("byLifecycle").getInteger("Failed"));
    assertEquals("Failed", steps.getJsonObject(1).getString("lifecycle"));
    assertNull(summary.getValue("estimatedSecondsRemaining"), "an ended run has nothing left to estimate");
    assertTrue(summary.getDouble("throughputPerMinute") > 0, "24 targets ended within the last minute");
  }

  @Test
  @Order(2)
  void target_lists_filter_by_lifecycle_and_name_sort_failures_first_and_count_every_match() {
    String targets = JOB + "/executions/" + failed + "/targets";
    JsonObject failures = get(targets + "?lifecycle=Failed");
    assertEquals(5, failures.getInteger("count"));
    assertEquals(5, failures.getJsonArray("value").size());
    assertEquals(5, get(targets + "?lifecycle=Failed,TimedOut").getInteger("count"));
    assertEquals(5, get(targets + "?lifecycle=Failed&lifecycle=TimedOut").getInteger("count"), "repeated works too");
    assertEquals(19, get(targets + "?lifecycle=Succeeded").getInteger("count"));

    JsonObject first = get(targets + "?sort=lifecycle&$top=6");
    List<String> lifecycles = rows(first).stream().map(t -> t.getString("lifecycle")).toList();
    assertEquals(List.of("Failed", "Failed", "Failed", "Failed", "Failed", "Succeeded"), lifecycles);
    JsonObject failedRow = rows(first).get(0);
    assertNotNull(failedRow.getString("targetExecutionId"));
    assertTrue(List.of("42P01", "22012").contains(failedRow.getString("lastErrorCode")), failedRow.encode());

    JsonObject zero = get(targets + "?search=ZERO_&sort=name");
    assertEquals(4, zero.getInteger("count"), "two databases, two steps each; the search ignores case");
    assertTrue(rows(zero).stream().allMatch(t -> t.getJsonObject("target").getString("databaseName")
      .startsWith("fv_zero_")));
    assertEquals(2, get(targets + "?search=zero&lifecycle=Failed").getInteger("count"));

    JsonObject page = get(targets + "?sort=name&search=fv_&$top=10");
    assertEquals(24, page.getInteger("count"));
    String next = page.getString("nextLink");
    assertTrue(next.contains("$skip=10") && next.contains("sort=name") && next.contains("search=fv_"), next);
    JsonObject second = get(next.substring(next.indexOf("/api/v1") + "/api/v1".length()));
    assertEquals(10, second.getJsonArray("value").size());
    assertTrue(rows(page).get(9).getJsonObject("target").getString("databaseName")
      .compareTo(rows(second).get(0).getJsonObject("target").getString("databaseName")) <= 0, "pages go on in order");

    JsonObject longest = get(targets + "?sort=duration&$top=1");
    assertEquals(1, longest.getJsonArray("value").size());
    assertEquals(24, get(targets + "?sort=endTime").getInteger("count"));
    assertEquals(12, get(JOB + "/executions/" + failed + "/steps/prepare/targets?lifecycle=Succeeded")
      .getInteger("count"));

    assertBadRequest(targets + "?lifecycle=Failing", "lifecycle");
    assertBadRequest(targets + "?sort=size", "sort");
  }

  @Test
  @Order(3)
  void failures_group_by_cause_and_each_group_pages_its_databases() {
    JsonObject groups = get(JOB + "/executions/" + failed + "/failureGroups");
    assertEquals(2, groups.getInteger("count"), groups.encodePrettily());
    assertEquals(5, groups.getInteger("failedTargets"));
    JsonObject missing = rows(groups).get(0);
    assertEquals(3, missing.getInteger("targets"));
    assertEquals("42P01", missing.getString("errorCode"));
    assertEquals("Failed", missing.getString("lifecycle"));
    assertTrue(missing.getString("cause").contains("relation \"fleet_marker\" does not exist"), missing.encode());
    assertTrue(!missing.getString("cause").contains("fv_missing"), "the cause names no database: " + missing);
    assertTrue(missing.getString("exampleMessage").contains("fv_missing_"), "the example is a real message");
    assertEquals(List.of("migrate"), missing.getJsonArray("stepNames").getList());
    assertEquals(3, missing.getJsonArray("firstTargets").size());
    JsonObject zero = rows(groups).get(1);
    assertEquals(2, zero.getInteger("targets"));
    assertEquals("22012", zero.getString("errorCode"));

    String link = missing.getString("targetsLink");
    JsonObject members = get(link.substring("/api/v1".length()));
    assertEquals(3, members.getInteger("count"));
    assertEquals(MISSING, rows(members).stream().map(t -> t.getJsonObject("target").getString("databaseName")).toList());
    assertEquals(1, get(JOB + "/executions/" + failed + "/failureGroups?$top=1").getJsonArray("value").size());
  }

  @Test
  @Order(4)
  void every_attempt_of_a_target_is_kept_with_its_agent_outcome_and_error_code() {
    JsonObject target = rows(get(JOB + "/executions/" + failed + "/targets?lifecycle=Failed&search=fv_missing_1"))
      .get(0);
    String attemptsPath = JOB + "/executions/" + failed + "/targets/" + target.getString("targetExecutionId")
      + "/attempts";
    List<JsonObject> attempts = rows(get(attemptsPath));
    assertEquals(2, attempts.size(), "retryOn Any retries the missing table once: " + attempts);
    assertEquals(List.of("WaitingForRetry", "Failed"), attempts.stream().map(a -> a.getString("outcome")).toList());
    assertEquals(List.of(1, 2), attempts.stream().map(a -> a.getInteger("attempt")).toList());
    for (JsonObject attempt : attempts) {
      assertEquals("42P01", attempt.getString("errorCode"));
      assertNotNull(attempt.getString("agent"));
      assertNotNull(attempt.getString("startTime"));
      assertNotNull(attempt.getString("endTime"));
      assertTrue(attempt.getString("message").contains("fleet_marker"), attempt.encode());
    }
    HttpResponse<Buffer> unknown = agent.admin().get(JOB + "/executions/" + failed + "/targets/"
      + java.util.UUID.randomUUID() + "/attempts");
    assertEquals(404, unknown.statusCode(), unknown.bodyAsString());
  }

  @Test
  @Order(5)
  void the_fleet_state_says_who_is_behind_as_the_job_and_its_fleet_change() {
    JsonObject fleet = get(JOB + "/fleetState");
    assertEquals(counts(12, 7, 0, 5, 0), fleet.getJsonObject("counts"), fleet.encodePrettily());
    List<JsonObject> databases = rows(fleet);
    assertEquals(List.of("Failing", "Failing", "Failing", "Failing", "Failing", "Current"),
      databases.subList(0, 6).stream().map(d -> d.getString("state")).toList(), "behind first");
    JsonObject failing = databases.get(0);
    assertNull(failing.getValue("lastSucceededVersion"), "never succeeded there");
    assertTrue(failing.getString("lastError").contains("fv_"), failing.encode());
    JsonObject current = databases.get(5);
    assertEquals(fleet.getInteger("currentVersion"), current.getInteger("lastSucceededVersion"));
    assertEquals(true, current.getBoolean("isCurrentVersion"));
    assertEquals(List.of("prepare", "migrate"), current.getJsonArray("steps").stream()
      .map(s -> ((JsonObject) s).getString("stepName")).toList());
    assertEquals(5, get(JOB + "/fleetState?state=Failing").getInteger("count"));
    assertEquals(2, get(JOB + "/fleetState?search=zero").getInteger("count"));

    for (String database : MISSING) {
      server.execute(database, "CREATE TABLE fleet_marker (id int)");
    }
    for (String database : ZERO) {
      server.execute(database, "CREATE TABLE fleet_marker (id int)");
    }
    step("migrate", MIGRATE + ";\n-- version two");
    JsonObject behind = get(JOB + "/fleetState");
    assertEquals(counts(12, 0, 7, 5, 0), behind.getJsonObject("counts"), "a new version puts everyone behind");
    String dry = agent.admin().post("/jobs/migrate-fleet/start", new JsonObject().put("dryRun", true))
      .bodyAsJsonObject().getString("jobExecutionId");
    executions.awaitEnd("migrate-fleet", dry, PATIENCE);
    assertEquals(counts(12, 0, 7, 5, 0), get(JOB + "/fleetState").getJsonObject("counts"),
      "a dry run changed nothing, so nobody caught up");
    JsonObject older = get(JOB + "/fleetState?state=Behind&$top=1").getJsonArray("value").getJsonObject(0);
    assertEquals(false, older.getBoolean("isCurrentVersion"));
    assertEquals(behind.getInteger("currentVersion") - 1, older.getInteger("lastSucceededVersion"));

    String second = executions.start("migrate-fleet");
    assertEquals("Succeeded", executions.awaitEnd("migrate-fleet", second, PATIENCE).getString("lifecycle"));
    assertEquals(counts(12, 12, 0, 0, 0), get(JOB + "/fleetState").getJsonObject("counts"));

    JsonArray members = groupMembers()
      .add(new JsonObject().put("type", "SqlDatabase").put("membershipType", "Exclude")
        .put("serverName", server.serverName()).put("databaseName", OK.get(0)))
      .add(new JsonObject().put("type", "SqlServer").put("serverName", "127.0.0.1:1").put("refreshCredential", "job"));
    ok(agent.admin().put("/targetGroups/fleet", new JsonObject().put("members", members)));
    JsonObject changed = get(JOB + "/fleetState?sort=name");
    assertEquals(counts(12, 11, 0, 0, 1), changed.getJsonObject("counts"), changed.encodePrettily());
    JsonObject gone = rows(get(JOB + "/fleetState?state=NotTargeted")).get(0);
    assertEquals(OK.get(0), gone.getString("databaseName"));
    assertEquals(false, gone.getBoolean("targeted"));
    assertEquals(1, changed.getJsonArray("memberErrors").size(), "a member that cannot be listed is shown");
    assertTrue(changed.getJsonArray("memberErrors").getJsonObject(0).getString("error").contains("127.0.0.1:1"),
      changed.getJsonArray("memberErrors").encode());
    assertBadRequest(JOB + "/fleetState?state=Late", "state");
  }

  private static void group() {
    ok(agent.admin().put("/targetGroups/fleet", new JsonObject().put("members", groupMembers())));
  }

  private static JsonArray groupMembers() {
    return new JsonArray().add(new JsonObject().put("type", "SqlServer").put("serverName", server.serverName())
      .put("refreshCredential", "job"));
  }

  private static void step(String name, String script) {
    ok(agent.admin().put(JOB + "/steps/" + name, new JsonObject()
      .put("targetGroup", "fleet")
      .put("credential", "job")
      .put("action", new JsonObject().put("value", script))
      .put("executionOptions", new JsonObject().put("retryAttempts", 1).put("initialRetryIntervalSeconds", 1)
        .put("retryOn", "Any"))));
  }

  private static JsonObject counts(int total, int current, int behind, int failing, int notTargeted) {
    return new JsonObject().put("total", total).put("failing", failing).put("behind", behind)
      .put("notTargeted", notTargeted).put("current", current);
  }

  private static JsonObject get(String path) {
    HttpResponse<Buffer> response = agent.admin().get(path);
    assertEquals(200, response.statusCode(), path + ": " + response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static void assertBadRequest(String path, String target) {
    HttpResponse<Buffer> response = agent.admin().get(path);
    assertEquals(400, response.statusCode(), path + ": " + response.bodyAsString());
    assertEquals(target, response.bodyAsJsonObject().getJsonObject("error").getString("target"), path);
  }

  private static List<JsonObject> rows(JsonObject page) {
    return page.getJsonArray("value").stream().map(JsonObject.class::cast).toList();
  }

  private static void ok(HttpResponse<Buffer> response) {
    assertTrue(response.statusCode() < 300, response.statusCode() + " " + response.bodyAsString());
  }

  private static List<String> names(String prefix, int count) {
    return IntStream.rangeClosed(1, count).mapToObj(i -> prefix + i).toList();
  }
}
