package io.fleetjobs.server.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The API the dashboard stands on: the caller, an execution by id, the chart's series, reruns, job activity. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DashboardApiTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  /** Fails on dash_c only, with the database's name in the message. */
  private static final String FAILS_ON_C = "DO $$ BEGIN IF current_database() = 'dash_c' THEN "
    + "RAISE EXCEPTION 'boom on %', current_database(); END IF; END $$";
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("dashboard_api");
  private static final TargetServer server = agent.targetServer();
  private static final Executions executions = new Executions(agent);
  private static final Scenario scenario = Scenario.on(agent);
  private static String partlyFailed;

  @BeforeAll
  static void setUp() {
    scenario.fleet(server, "dash_a", "dash_b", "dash_c")
      .credential("job")
      .group("three", "dash_a", "dash_b", "dash_c")
      .job("mixed")
      .step("first", FAILS_ON_C)
      .retryAttempts(0)
      .step("second", "SELECT 2")
      .retryAttempts(0)
      .create();
    partlyFailed = executions.start("mixed");
    assertEquals("Failed", executions.awaitEnd("mixed", partlyFailed, PATIENCE).getString("lifecycle"));
  }

  @Test
  void me_names_the_token_and_its_role() {
    JsonObject me = agent.admin().get("/me").bodyAsJsonObject();
    assertEquals("admin", me.getString("role"));
    assertEquals("admin", me.getString("name"));
    assertNull(me.getValue("token"), "never the secret");
    assertEquals("reader", agent.as("reader").get("/me").bodyAsJsonObject().getString("role"));
    assertEquals(401, agent.anonymous().get("/me").statusCode());
  }

  @Test
  void an_execution_is_found_by_its_id_alone() {
    JsonObject execution = agent.admin().get("/executions/" + partlyFailed).bodyAsJsonObject();
    assertEquals("mixed", execution.getString("jobName"));
    assertEquals("Failed", execution.getString("lifecycle"));
    assertNull(execution.getValue("rerunOf"));
    HttpResponse<Buffer> missing = agent.admin().get("/executions/00000000-0000-0000-0000-000000000001");
    assertEquals(404, missing.statusCode());
    assertEquals(400, agent.admin().get("/executions/not-a-uuid").statusCode());
  }

  @Test
  void rerun_runs_only_the_targets_that_failed_on_every_step() {
    HttpResponse<Buffer> rerun = agent.as("operator").post("/jobs/mixed/executions/" + partlyFailed + "/rerunFailed",
      new JsonObject());
    assertEquals(202, rerun.statusCode(), rerun.bodyAsString());
    String id = rerun.bodyAsJsonObject().getString("jobExecutionId");
    assertEquals(partlyFailed, rerun.bodyAsJsonObject().getString("rerunOf"));
    assertTrue(rerun.getHeader("Location").endsWith("/executions/" + id), rerun.getHeader("Location"));
    executions.awaitEnd("mixed", id, PATIENCE);

    List<JsonObject> targets = executions.targets("mixed", id);
    assertEquals(1, targets.size(), "step one on dash_c only; step two never starts after it fails: " + targets);
    assertEquals("dash_c", targets.get(0).getJsonObject("target").getString("databaseName"));
    assertTrue(targets.get(0).getString("lastMessage").contains("boom on dash_c"), targets.get(0).encode());

    HttpResponse<Buffer> again = agent.admin().post("/jobs/mixed/executions/" + partlyFailed + "/rerunFailed",
      new JsonObject());
    assertEquals(202, again.statusCode(), "a source can be rerun more than once: " + again.bodyAsString());
    executions.awaitEnd("mixed", again.bodyAsJsonObject().getString("jobExecutionId"), PATIENCE);
  }

  @Test
  void rerun_of_a_run_where_the_failure_is_fixed_runs_every_later_step_there() {
    for (String db : List.of("dash_a", "dash_b", "dash_c")) {
      server.execute(db, "CREATE TABLE fix_me (broken boolean)", "INSERT INTO fix_me VALUES (" + db.equals("dash_b") + ")");
    }
    scenario.job("fixable")
      .step("check", "DO $$ BEGIN IF (SELECT bool_or(broken) FROM fix_me) THEN "
        + "RAISE EXCEPTION 'still broken'; END IF; END $$")
      .retryAttempts(0)
      .step("after", "SELECT 1")
      .retryAttempts(0)
      .create();
    String failed = executions.start("fixable");
    executions.awaitEnd("fixable", failed, PATIENCE);
    server.execute("dash_b", "UPDATE fix_me SET broken = false");

    String rerun = agent.admin().post("/jobs/fixable/executions/" + failed + "/rerunFailed", new JsonObject())
      .bodyAsJsonObject().getString("jobExecutionId");
    JsonObject ended = executions.awaitEnd("fixable", rerun, PATIENCE);
    assertEquals("Succeeded", ended.getString("lifecycle"));
    List<String> ran = executions.targets("fixable", rerun).stream()
      .map(target -> target.getString("stepName") + "@" + target.getJsonObject("target").getString("databaseName"))
      .toList();
    assertEquals(List.of("check@dash_b", "after@dash_b"), ran);
  }

  @Test
  void rerun_after_the_step_is_fixed_runs_the_new_version_on_the_failed_databases_only() {
    step("fixed-later", "check", FAILS_ON_C);
    step("fixed-later", "after", "SELECT 1");
    String failed = executions.start("fixed-later");
    JsonObject source = executions.awaitEnd("fixed-later", failed, PATIENCE);
    assertEquals("Failed", source.getString("lifecycle"));
    step("fixed-later", "check", "SELECT current_database()");
    int fixedVersion = agent.admin().get("/jobs/fixed-later").bodyAsJsonObject().getInteger("version");
    assertEquals(source.getInteger("jobVersion") + 1, fixedVersion);

    HttpResponse<Buffer> rerun = agent.as("operator").post("/jobs/fixed-later/executions/" + failed + "/rerunFailed",
      new JsonObject());
    assertEquals(202, rerun.statusCode(), rerun.bodyAsString());
    assertEquals(fixedVersion, rerun.bodyAsJsonObject().getInteger("jobVersion"), "the job's current version");
    assertEquals(failed, rerun.bodyAsJsonObject().getString("rerunOf"));
    String id = rerun.bodyAsJsonObject().getString("jobExecutionId");
    JsonObject ended = executions.awaitEnd("fixed-later", id, PATIENCE);
    assertEquals("Succeeded", ended.getString("lifecycle"), ended.encode());
    assertEquals(fixedVersion, ended.getInteger("jobVersion"), "the execution records the version it ran");
    List<String> ran = executions.targets("fixed-later", id).stream()
      .map(target -> target.getString("stepName") + "@" + target.getJsonObject("target").getString("databaseName")
        + "=" + target.getString("lifecycle"))
      .toList();
    assertEquals(List.of("check@dash_c=Succeeded", "after@dash_c=Succeeded"), ran, "only the database that failed");
  }

  @Test
  void rerun_runs_the_version_asked_for_and_refuses_unknown_versions_and_fields() {
    step("versioned", "check", FAILS_ON_C);
    int failingVersion = agent.admin().get("/jobs/versioned").bodyAsJsonObject().getInteger("version");
    String failed = executions.start("versioned");
    executions.awaitEnd("versioned", failed, PATIENCE);
    step("versioned", "check", "SELECT 1");
    String rerunPath = "/jobs/versioned/executions/" + failed + "/rerunFailed";

    HttpResponse<Buffer> old = agent.admin().post(rerunPath, new JsonObject().put("jobVersion", failingVersion));
    assertEquals(202, old.statusCode(), old.bodyAsString());
    assertEquals(failingVersion, old.bodyAsJsonObject().getInteger("jobVersion"));
    JsonObject oldEnded = executions.awaitEnd("versioned", old.bodyAsJsonObject().getString("jobExecutionId"), PATIENCE);
    assertEquals("Failed", oldEnded.getString("lifecycle"), "the version that failed fails the same way");

    HttpResponse<Buffer> unknown = agent.admin().post(rerunPath, new JsonObject().put("jobVersion", 99));
    assertEquals(400, unknown.statusCode(), unknown.bodyAsString());
    assertEquals("jobVersion", unknown.bodyAsJsonObject().getJsonObject("error").getString("target"));
    assertTrue(unknown.bodyAsString().contains("has no version 99"), unknown.bodyAsString());

    HttpResponse<Buffer> stepless = agent.admin().post(rerunPath, new JsonObject().put("jobVersion", 0));
    assertEquals(409, stepless.statusCode(), stepless.bodyAsString());
    assertEquals("jobVersion", stepless.bodyAsJsonObject().getJsonObject("error").getString("target"));

    HttpResponse<Buffer> typo = agent.admin().post(rerunPath, new JsonObject().put("jobVersoin", 2));
    assertEquals(400, typo.statusCode(), typo.bodyAsString());
    assertEquals("jobVersoin", typo.bodyAsJsonObject().getJsonObject("error").getString("target"));
    assertEquals(400, agent.admin().post(rerunPath, new JsonObject().put("jobVersion", -1)).statusCode());
    assertEquals(400, agent.admin().post(rerunPath, new JsonObject().put("jobVersion", "latest")).statusCode());

    HttpResponse<Buffer> withoutBody = agent.admin().send(io.vertx.core.http.HttpMethod.POST, rerunPath, null);
    assertEquals(202, withoutBody.statusCode(), withoutBody.bodyAsString());
    assertEquals(failingVersion + 1, withoutBody.bodyAsJsonObject().getInteger("jobVersion"));
    executions.awaitEnd("versioned", withoutBody.bodyAsJsonObject().getString("jobExecutionId"), PATIENCE);
  }

  @Test
  void rerun_is_refused_while_active_without_failures_or_without_the_role() {
    scenario.job("fine")
      .step("only", "SELECT 1")
      .retryAttempts(0)
      .create();
    String fine = executions.start("fine");
    executions.awaitEnd("fine", fine, PATIENCE);
    HttpResponse<Buffer> nothing = agent.admin().post("/jobs/fine/executions/" + fine + "/rerunFailed", new JsonObject());
    assertEquals(409, nothing.statusCode());
    assertEquals("id", nothing.bodyAsJsonObject().getJsonObject("error").getString("target"));
    assertTrue(nothing.bodyAsString().contains("nothing to rerun"), nothing.bodyAsString());

    assertEquals(403, agent.as("reader").post("/jobs/mixed/executions/" + partlyFailed + "/rerunFailed",
      new JsonObject()).statusCode());
    assertEquals(404, agent.admin().post("/jobs/mixed/executions/" + fine + "/rerunFailed", new JsonObject())
      .statusCode(), "another job's execution");
    assertEquals(404, agent.admin().post("/jobs/nope/executions/" + fine + "/rerunFailed", new JsonObject())
      .statusCode());

    scenario.job("slow")
      .step("only", "SELECT pg_sleep(30)")
      .retryAttempts(0)
      .create();
    String slow = executions.start("slow");
    HttpResponse<Buffer> active = agent.admin().post("/jobs/slow/executions/" + slow + "/rerunFailed", new JsonObject());
    assertEquals(409, active.statusCode(), active.bodyAsString());
    assertTrue(active.bodyAsString().contains("still active"), active.bodyAsString());
    agent.admin().post("/jobs/slow/executions/" + slow + "/cancel", new JsonObject());
  }

  @Test
  void executions_filter_by_lifecycle() {
    JsonArray failed = agent.admin().get("/jobs/mixed/executions?lifecycle=Failed").bodyAsJsonObject()
      .getJsonArray("value");
    assertTrue(failed.stream().map(JsonObject.class::cast).allMatch(e -> e.getString("lifecycle").equals("Failed")));
    assertTrue(failed.stream().map(JsonObject.class::cast).anyMatch(e -> e.getString("jobExecutionId").equals(partlyFailed)));
    assertEquals(0, agent.admin().get("/jobs/mixed/executions?lifecycle=Skipped").bodyAsJsonObject()
      .getJsonArray("value").size());
    HttpResponse<Buffer> bad = agent.admin().get("/executions?lifecycle=Exploded");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.bodyAsString().contains("lifecycle"), bad.bodyAsString());
  }

  @Test
  void stats_count_target_outcomes_per_bar_zero_filled() {
    JsonObject hour = agent.admin().get("/executions/stats").bodyAsJsonObject();
    assertEquals("PT1H", hour.getString("interval"));
    assertEquals("PT1M", hour.getString("grain"));
    JsonArray bars = hour.getJsonArray("buckets");
    assertTrue(bars.size() == 60, "one bar a minute for an hour: " + bars.size());
    long succeeded = sum(bars, "succeeded");
    long failed = sum(bars, "failed");
    assertTrue(succeeded >= 2 && failed >= 1, hour.encode());
    JsonObject last = bars.getJsonObject(bars.size() - 1);
    assertTrue(!Instant.parse(last.getString("time")).isAfter(Instant.now()), "no bar starts in the future");

    JsonObject day = agent.admin().get("/executions/stats?interval=P1D").bodyAsJsonObject();
    assertEquals(96, day.getJsonArray("buckets").size());
    assertEquals(failed, sum(day.getJsonArray("buckets"), "failed"), "the same executions, in wider bars");
    assertEquals(168, agent.admin().get("/executions/stats?interval=P7D").bodyAsJsonObject()
      .getJsonArray("buckets").size());
    assertEquals(400, agent.admin().get("/executions/stats?interval=P1Y").statusCode());
  }

  @Test
  void jobs_show_their_last_outcome_and_next_run() {
    JsonObject mixed = agent.admin().get("/jobs/mixed").bodyAsJsonObject();
    assertNotNull(mixed.getJsonObject("lastExecution"));
    assertNull(mixed.getValue("nextRunTime"), "a Once schedule that never ran by itself: " + mixed.encode());

    Instant start = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS);
    HttpResponse<Buffer> saved = agent.admin().put("/jobs/hourly", new JsonObject().put("schedule", new JsonObject()
      .put("type", "Recurring").put("interval", "PT1H").put("enabled", true).put("startTime", start.toString())));
    assertTrue(saved.statusCode() == 201, saved.bodyAsString());
    JsonObject hourly = saved.bodyAsJsonObject();
    assertNull(hourly.getValue("lastExecution"), "no execution yet");
    assertEquals(start, Instant.parse(hourly.getString("nextRunTime")));
    JsonObject listed = agent.admin().get("/jobs?$top=1000").bodyAsJsonObject().getJsonArray("value").stream()
      .map(JsonObject.class::cast)
      .filter(job -> job.getString("name").equals("mixed"))
      .findFirst().orElseThrow();
    String newest = agent.admin().get("/jobs/mixed/executions?$top=1").bodyAsJsonObject().getJsonArray("value")
      .getJsonObject(0).getString("jobExecutionId");
    assertEquals(newest, listed.getJsonObject("lastExecution").getString("jobExecutionId"));
  }

  private static long sum(JsonArray bars, String key) {
    return bars.stream().map(JsonObject.class::cast).mapToLong(bar -> bar.getLong(key)).sum();
  }

  /** A step on the three databases, with no retries; naming a step again defines its next version. */
  private static void step(String job, String name, String script) {
    scenario.job(job).step(name, script).retryAttempts(0).create();
  }
}
