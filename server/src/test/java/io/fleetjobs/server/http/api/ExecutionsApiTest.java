package io.fleetjobs.server.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reading, filtering and purging executions; the metrics they produce. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ExecutionsApiTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("executions_api");
  private static final TargetServer server = agent.targetServer();
  private static final Executions executions = new Executions(agent);
  private static final Scenario scenario = Scenario.on(agent);
  private static String succeeded;
  private static String failed;
  private static Instant between;

  @BeforeAll
  static void setUp() {
    // The failing job fails at once; the others may retry once, as a loaded machine can drop a connection.
    scenario.fleet(server, "api_a", "api_b")
      .credential("job")
      .group("two", "api_a", "api_b")
      .job("report")
      .step("first", "SELECT 1")
      .retryAttempts(1)
      .step("second", "SELECT 2")
      .retryAttempts(1)
      .create();
    succeeded = executions.start("report");
    JsonObject report = executions.awaitEnd("report", succeeded, PATIENCE);
    assertEquals("Succeeded", report.getString("lifecycle"), report.encode() + executions.targets("report", succeeded));
    between = Instant.now();
    scenario.job("broken")
      .step("only", "SELECT missing_column FROM nowhere")
      .retryAttempts(0)
      .create();
    failed = executions.start("broken");
    executions.awaitEnd("broken", failed, PATIENCE);
  }

  @Test
  void lists_filter_by_job_activity_and_time() {
    assertEquals(List.of(failed, succeeded), ids("/executions?createTimeMin=" + encode(between.minusSeconds(3600))));
    assertEquals(List.of(failed), ids("/executions?createTimeMin=" + encode(between)));
    assertEquals(List.of(succeeded), ids("/executions?createTimeMax=" + encode(between)));
    assertEquals(List.of(succeeded), ids("/jobs/report/executions"));
    assertEquals(List.of(), ids("/jobs/report/executions?isActive=true"));
    assertEquals(List.of(succeeded), ids("/jobs/report/executions?isActive=false&endTimeMax=" + encode(between)));
    assertEquals(1, agent.admin().get("/executions?$top=1").bodyAsJsonObject().getJsonArray("value").size());
  }

  @Test
  void trees_show_steps_and_their_targets() {
    JsonArray steps = agent.admin().get("/jobs/report/executions/" + succeeded + "/steps").bodyAsJsonObject()
      .getJsonArray("value");
    assertEquals(2, steps.size());
    assertEquals("TargetGroup", steps.getJsonObject(0).getJsonObject("target").getString("type"));
    assertEquals("two", steps.getJsonObject(0).getJsonObject("target").getString("targetGroupName"));
    JsonObject second = agent.admin().get("/jobs/report/executions/" + succeeded + "/steps/second").bodyAsJsonObject();
    assertEquals(2, second.getInteger("stepId"));
    JsonArray targets = agent.admin().get("/jobs/report/executions/" + succeeded + "/steps/second/targets")
      .bodyAsJsonObject().getJsonArray("value");
    assertEquals(2, targets.size());
    JsonObject target = targets.getJsonObject(0);
    assertEquals("second", target.getString("stepName"));
    assertEquals("api_a", target.getJsonObject("target").getString("databaseName"));
    assertEquals(server.serverName(), target.getJsonObject("target").getString("serverName"));
    for (String field : List.of("createTime", "startTime", "endTime", "currentAttemptStartTime")) {
      assertTrue(target.getString(field).endsWith("Z"), field + " is UTC ISO-8601: " + target.getString(field));
    }
    JsonObject broken = executions.targets("broken", failed).get(0);
    assertTrue(broken.getString("lastMessage").contains("relation \"nowhere\" does not exist"), broken.encode());
    assertEquals(404, agent.admin().get("/jobs/report/executions/" + failed).statusCode(), "another job's execution");
    assertEquals(400, agent.admin().get("/jobs/report/executions/not-a-uuid").statusCode());
  }

  @Test
  void metrics_count_outcomes_per_minute_with_dimensions_and_in_prometheus_format() throws Exception {
    try (Connection db = agent.jdbc(); Statement sql = db.createStatement();
         ResultSet rows = sql.executeQuery("SELECT metric_name, step_name, target_database, count, "
           + "date_trunc('minute', bucket_start) = bucket_start FROM jobs_internal.metric_counts"
           + " WHERE job_name = 'broken'")) {
      rows.next();
      assertEquals("elastic_jobs_failed", rows.getString(1));
      assertEquals("only", rows.getString(2));
      assertTrue(rows.getInt(4) >= 1);
      assertTrue(rows.getBoolean(5), "one-minute grain");
    }
    String scraped = agent.as("reader").raw(HttpMethod.GET, "/metrics", null).bodyAsString();
    assertTrue(scraped.contains("elastic_jobs_successful_total{job_name=\"report\",step_name=\"first\","
      + "target_server=\"" + server.serverName() + "\"} 2.0"), scraped);
    assertTrue(scraped.contains("elastic_jobs_failed_total{job_name=\"broken\""), scraped);
    assertTrue(scraped.contains("fleetjobs_tier_capacity 100.0"), scraped);
    assertTrue(scraped.contains("fleetjobs_queue_depth"), scraped);
    assertTrue(scraped.contains("fleetjobs_targets_in_progress"), scraped);
  }

  @Test
  void history_purges_by_hand_like_sp_purge_jobhistory() {
    scenario.job("purged")
      .step("s", "SELECT 1")
      .retryAttempts(1)
      .create();
    String old = executions.start("purged");
    executions.awaitEnd("purged", old, PATIENCE);
    HttpResponse<Buffer> none = agent.admin().send(HttpMethod.DELETE, "/jobs/purged/executions?oldestDate="
      + encode(Instant.now().minusSeconds(3600)), null);
    assertEquals(0, none.bodyAsJsonObject().getInteger("deleted"));
    HttpResponse<Buffer> purged = agent.admin().send(HttpMethod.DELETE, "/jobs/purged/executions?oldestDate="
      + encode(Instant.now().plusSeconds(1)), null);
    assertEquals(1, purged.bodyAsJsonObject().getInteger("deleted"));
    assertEquals(404, agent.admin().get("/jobs/purged/executions/" + old).statusCode());
    assertEquals(403, agent.as("operator").send(HttpMethod.DELETE, "/jobs/purged/executions", null).statusCode());
    assertEquals(404, agent.admin().send(HttpMethod.DELETE, "/jobs/no-such-job/executions", null).statusCode());
  }

  @Test
  void a_job_with_an_active_execution_is_deleted_only_with_force() {
    scenario.job("busy")
      .step("s", "SELECT pg_sleep(30) /* deleted-job-marker */")
      .retryAttempts(1)
      .create();
    String id = executions.start("busy");
    executions.awaitTarget("busy", id, t -> t.getString("lifecycle").equals("InProgress"), PATIENCE);
    HttpResponse<Buffer> refused = agent.admin().delete("/jobs/busy");
    assertEquals(409, refused.statusCode(), refused.bodyAsString());
    assertEquals(204, agent.admin().delete("/jobs/busy?force=true").statusCode());
    assertEquals(404, agent.admin().get("/jobs/busy").statusCode());
    // The agent running it lost the row, so it stops the statement on the target too.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!server.column("postgres", "SELECT pid FROM pg_stat_activity WHERE query LIKE '%deleted-job-marker%'"
      + " AND query NOT LIKE '%pg_stat_activity%'").isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the deleted job's statement still runs on its target");
      Executions.sleep(100);
    }
  }

  private static List<String> ids(String path) {
    HttpResponse<Buffer> response = agent.admin().get(path);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getJsonArray("value").stream()
      .map(e -> ((JsonObject) e).getString("jobExecutionId")).toList();
  }

  private static String encode(Instant time) {
    return URLEncoder.encode(time.toString(), StandardCharsets.UTF_8);
  }
}
