package io.fleetjobs.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.WebhookReceiver;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an operator scrapes from /metrics after real work: jobs that succeed and fail on real target databases and
 * an alert delivered to a real HTTP receiver, on an agent whose Vert.x reports into the same registry, as Main
 * builds it. The scrape must satisfy {@code promtool check metrics}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MetricsScrapeTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static Vertx vertx;
  private static TargetServer targets;
  private static WebhookReceiver receiver;
  private static AgentFixture agent;
  private static String scrape;

  @BeforeAll
  static void work_then_scrape() throws Exception {
    PrometheusMeterRegistry registry = PrometheusRegistry.create();
    vertx = MeteredVertx.create(registry);
    targets = TargetServer.start();
    targets.createDatabases("metrics_a", "metrics_b");
    receiver = WebhookReceiver.start(vertx);
    agent = AgentFixture.start(vertx, "metrics_scrape", new JsonObject()
      .put("webhookAllow", "127.0.0.1")
      .put("alertEvaluationTickMs", 200), registry);
    agent.admin().put("/credentials/job", new JsonObject().put("username", "postgres").put("password", "x"));
    agent.admin().put("/targetGroups/both", new JsonObject().put("members", new JsonArray()
      .add(member("metrics_a"))
      .add(member("metrics_b"))));
    created(agent.admin().put("/actionGroups/ops", new JsonObject().put("webhookReceivers", new JsonArray()
      .add(new JsonObject().put("name", "hook").put("serviceUri", receiver.url("/metrics-hook"))))));
    created(agent.admin().put("/alertRules/any-failure", new JsonObject()
      .put("criteria", new JsonObject().put("allOf", new JsonArray().add(new JsonObject()
        .put("metricName", "elastic_jobs_failed").put("timeAggregation", "Total")
        .put("operator", "GreaterThan").put("threshold", 0))))
      .put("windowSize", "PT3S")
      .put("evaluationFrequency", "PT1S")
      .put("actions", new JsonArray().add("ops"))));
    job("report", "SELECT 1");
    job("broken", "SELECT 1/0");
    Executions executions = new Executions(agent.admin());
    assertEquals("Succeeded", executions.awaitEnd("report", executions.start("report"), PATIENCE)
      .getString("lifecycle"));
    assertEquals("Failed", executions.awaitEnd("broken", executions.start("broken"), PATIENCE)
      .getString("lifecycle"));
    receiver.await("/metrics-hook", got -> !got.isEmpty(), PATIENCE);
    // The delivery is recorded after the receiver answered, and the heartbeat and outbox gauges refresh on ticks.
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    do {
      Thread.sleep(500);
      scrape = scrape();
    } while (System.nanoTime() < deadline
      && !(scrape.contains("fleetjobs_alert_delivery_latency_seconds_count{kind=\"webhook\"}")
        && scrape.contains("fleetjobs_agents_live 1.0")));
  }

  @AfterAll
  static void stop() {
    agent.close();
    receiver.close();
    targets.close();
    vertx.close().await();
  }

  @Test
  void execution_counters_carry_snake_case_labels_and_by_default_the_server_but_not_the_database() {
    assertTrue(scrape.contains("elastic_jobs_successful_total{job_name=\"report\",step_name=\"s1\",target_server=\""
      + targets.serverName() + "\"} 2.0"), scrape);
    assertTrue(scrape.contains("elastic_jobs_failed_total{job_name=\"broken\",step_name=\"s1\",target_server=\""
      + targets.serverName() + "\"} 2.0"), scrape);
    for (String camel : List.of("jobName", "stepName", "targetServer", "targetDatabase", "target_database")) {
      assertFalse(scrape.contains(camel + "="), camel + " is not a label: " + scrape);
    }
  }

  @Test
  void engine_meters_show_durations_claims_and_agents() {
    assertEquals(2.0, value("fleetjobs_target_duration_seconds_count{job_name=\"report\",step_name=\"s1\"}"));
    assertTrue(scrape.contains("fleetjobs_target_duration_seconds_bucket{job_name=\"report\",step_name=\"s1\","
      + "le=\"0.25\"}"), "a histogram with buckets: " + scrape);
    assertTrue(value("fleetjobs_claims_total{kind=\"target\"}") >= 4.0, "four targets claimed at least once");
    assertTrue(value("fleetjobs_claims_total{kind=\"step\"}") >= 2.0);
    assertEquals(1.0, value("fleetjobs_agents_live"));
    assertEquals(100.0, value("fleetjobs_agent_share"), "one agent takes the whole tier");
    assertEquals(100.0, value("fleetjobs_tier_capacity"));
    assertTrue(scrape.contains("fleetjobs_queue_depth "), scrape);
    assertTrue(scrape.contains("fleetjobs_targets_in_progress "), scrape);
  }

  @Test
  void alert_meters_show_the_outbox_deliveries_and_the_latency_from_the_transition() {
    assertTrue(value("fleetjobs_alert_deliveries_total{kind=\"webhook\",outcome=\"Delivered\"}") >= 1.0, scrape);
    assertTrue(value("fleetjobs_alert_delivery_latency_seconds_count{kind=\"webhook\"}") >= 1.0, scrape);
    assertTrue(value("fleetjobs_alert_delivery_latency_seconds_sum{kind=\"webhook\"}") > 0.0, scrape);
    assertTrue(scrape.contains("fleetjobs_alert_outbox_depth "), scrape);
  }

  @Test
  void process_and_job_database_pool_meters_are_there() {
    for (String series : List.of("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads ",
      "process_cpu_usage ", "process_cpu_seconds_total ", "process_uptime_seconds ", "system_cpus ",
      "vertx_pool_in_use{pool_name=\"fleetjobs-engine\",pool_type=\"sql\"}",
      "vertx_pool_queue_pending{pool_name=\"fleetjobs-engine\",pool_type=\"sql\"}")) {
      assertTrue(scrape.contains(series), series + " in " + scrape);
    }
  }

  /** promtool comes with Debian's prometheus package, which .ci/run installs; CI fails without it. */
  @Test
  void promtool_check_metrics_reports_nothing() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    boolean installed = onPath("promtool");
    if (ci) {
      assertTrue(installed, "promtool is missing: .ci/run installs Debian's prometheus package");
    }
    Assumptions.assumeTrue(installed, "promtool is not installed (apt-get install prometheus)");
    Path input = Files.createTempFile("fleetjobs-scrape", ".txt");
    Files.writeString(input, scrape);
    Process promtool = new ProcessBuilder("promtool", "check", "metrics")
      .redirectInput(input.toFile())
      .redirectErrorStream(true)
      .start();
    String said = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(promtool.waitFor(60, TimeUnit.SECONDS));
    Files.delete(input);
    assertEquals("", said.trim(), "promtool's findings");
    assertEquals(0, promtool.exitValue());
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private static double value(String series) {
    Matcher found = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(scrape);
    assertTrue(found.find(), series + " in " + scrape);
    return Double.parseDouble(found.group(1));
  }

  private static String scrape() {
    // With the admin token: /metrics may ask for one.
    HttpResponse<Buffer> scraped = agent.admin().raw(HttpMethod.GET, "/metrics", null);
    assertEquals(200, scraped.statusCode(), scraped.bodyAsString());
    return scraped.bodyAsString();
  }

  private static void job(String name, String script) {
    agent.admin().put("/jobs/" + name, new JsonObject());
    created(agent.admin().put("/jobs/" + name + "/steps/s1", new JsonObject()
      .put("targetGroup", "both").put("credential", "job")
      .put("action", new JsonObject().put("value", script))
      .put("executionOptions", new JsonObject().put("retryAttempts", 0))));
  }

  private static JsonObject member(String database) {
    return new JsonObject().put("type", "SqlDatabase").put("serverName", targets.serverName())
      .put("databaseName", database);
  }

  private static void created(HttpResponse<Buffer> response) {
    assertTrue(response.statusCode() < 300, response.bodyAsString());
  }
}
