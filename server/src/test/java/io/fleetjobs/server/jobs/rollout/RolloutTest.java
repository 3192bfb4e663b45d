package io.fleetjobs.server.jobs.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.metrics.PrometheusRegistry;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rollouts on real target databases: waves, the error budget, pause, resume, abort, manual gates, alarms. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RolloutTest {
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  /** Fails on the databases whose name ends in one of the listed suffixes, with the name in the message. */
  private static final String FAILS_ON = "DO $$ BEGIN IF right(current_database(), 2) = ANY (string_to_array('%s', ',')) "
    + "THEN RAISE EXCEPTION 'broken tenant %%', current_database(); END IF; END $$";

  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("rollouts");
  private static final TargetServer server = agent.targetServer();
  private static final Executions executions = new Executions(agent);
  private static final Scenario scenario = Scenario.on(agent);
  private static final String[] HUNDRED = Scenario.numbered("ro_", 100);
  /** Two digits, so that name order is number order. */
  private static final String[] TWENTY = IntStream.range(0, 20).mapToObj(i -> String.format("rp_%02d", i))
    .toArray(String[]::new);

  @BeforeAll
  static void setUp() {
    String[] fleet = new String[HUNDRED.length + TWENTY.length];
    System.arraycopy(HUNDRED, 0, fleet, 0, HUNDRED.length);
    System.arraycopy(TWENTY, 0, fleet, HUNDRED.length, TWENTY.length);
    scenario.fleet(server, fleet)
      .credential("job")
      .group("hundred", HUNDRED)
      .canary(HUNDRED[42])
      .group("twenty", TWENTY)
      .create();
  }

  @Test
  void each_wave_starts_only_after_the_one_before_it_ended_canary_first() {
    scenario.targetGroup("hundred")
      .job("waves")
      .step("touch", "SELECT pg_sleep(0.05)")
      .rollout(new JsonObject().put("waves", new JsonArray().add(1).add("10%").add("100%")))
      .create();
    String id = executions.start("waves");
    JsonObject ended = executions.awaitEnd("waves", id, PATIENCE);
    assertEquals("Succeeded", ended.getString("lifecycle"), ended.encode());

    Map<Integer, List<JsonObject>> waves = byWave(executions.targets("waves", id));
    assertEquals(List.of(1, 9, 90), waves.values().stream().map(List::size).toList(), "1, then to 10%, then the rest");
    assertEquals(HUNDRED[42], waves.get(1).get(0).getJsonObject("target").getString("databaseName"),
      "the canary member's database goes first");
    assertEquals(true, waves.get(1).get(0).getBoolean("canary"));
    for (int wave = 2; wave <= 3; wave++) {
      Instant previousEnded = waves.get(wave - 1).stream().map(t -> Instant.parse(t.getString("endTime")))
        .max(Comparator.naturalOrder()).orElseThrow();
      Instant started = waves.get(wave).stream().map(t -> Instant.parse(t.getString("startTime")))
        .min(Comparator.naturalOrder()).orElseThrow();
      assertTrue(!started.isBefore(previousEnded), "wave " + wave + " started " + started + ", before wave "
        + (wave - 1) + " ended " + previousEnded);
    }
    JsonObject rollout = executions.steps("waves", id).get(0).getJsonObject("rollout");
    assertEquals(3, rollout.getInteger("waveCount"));
    assertEquals(List.of("Done", "Done", "Done"), rollout.getJsonArray("waves").stream()
      .map(w -> ((JsonObject) w).getString("state")).toList(), rollout.encode());
  }

  @Test
  void a_failing_canary_pauses_the_run_before_anything_else_starts_then_resume_continues() {
    scenario.targetGroup("hundred")
      .job("canary-breaks")
      .step("migrate", FAILS_ON.formatted("42"))
      .retryAttempts(0)
      .rollout(new JsonObject().put("waves", new JsonArray().add(1).add("100%"))
        .put("errorBudget", new JsonObject().put("maxFailedTargets", 0)))
      .create();
    String id = executions.start("canary-breaks");
    JsonObject paused = awaitPaused("canary-breaks", id);
    assertTrue(paused.getString("pausedReason").contains("error budget"), paused.encode());
    List<JsonObject> targets = executions.targets("canary-breaks", id);
    assertEquals(Map.of("Failed", 1L, "Created", 99L), lifecycles(targets));
    assertTrue(targets.stream().filter(t -> t.getString("lifecycle").equals("Created"))
      .allMatch(t -> t.getValue("startTime") == null), "no other target started");
    Executions.sleep(1000);
    assertEquals(Map.of("Failed", 1L, "Created", 99L), lifecycles(executions.targets("canary-breaks", id)),
      "a paused run stays paused");

    HttpResponse<Buffer> resumed = agent.as("operator").post("/jobs/canary-breaks/executions/" + id + "/resume",
      new JsonObject().put("errorBudget", new JsonObject().put("maxFailedTargets", 1)));
    assertEquals(200, resumed.statusCode(), resumed.bodyAsString());
    assertTrue(resumed.bodyAsJsonObject().getString("lastMessage").contains("raised"),
      "the execution's record says the budget was raised: " + resumed.bodyAsString());
    JsonObject ended = executions.awaitEnd("canary-breaks", id, PATIENCE);
    assertEquals("Failed", ended.getString("lifecycle"), "the canary's failure stays on the record");
    assertTrue(ended.getString("lastMessage").contains("1 failed") || ended.getString("lastMessage")
      .contains("99 of 100"), "the step's outcome, not the resume: " + ended.getString("lastMessage"));
    JsonObject resume = executions.steps("canary-breaks", id).get(0).getJsonObject("rollout")
      .getJsonObject("definition").getJsonArray("resumes").getJsonObject(0);
    assertTrue(resume.getString("by").startsWith("operator-"), resume.encode());
    assertEquals(1, resume.getJsonObject("errorBudget").getInteger("maxFailedTargets"), resume.encode());
    assertEquals(Map.of("Failed", 1L, "Succeeded", 99L), lifecycles(executions.targets("canary-breaks", id)));
    assertEquals(409, agent.admin().post("/jobs/canary-breaks/executions/" + id + "/resume", new JsonObject())
      .statusCode(), "only a paused execution resumes");
  }

  @Test
  void abort_ends_what_a_paused_run_held_back_as_canceled() {
    scenario.targetGroup("hundred")
      .job("aborted")
      .step("migrate", FAILS_ON.formatted("42"))
      .retryAttempts(0)
      .rollout(new JsonObject().put("waves", new JsonArray().add(1).add("100%"))
        .put("errorBudget", new JsonObject().put("maxFailedTargets", 0)))
      .create();
    String id = executions.start("aborted");
    awaitPaused("aborted", id);
    assertEquals(403, agent.as("reader").post("/jobs/aborted/executions/" + id + "/abort", new JsonObject())
      .statusCode());
    HttpResponse<Buffer> aborted = agent.as("operator").post("/jobs/aborted/executions/" + id + "/abort",
      new JsonObject());
    assertEquals(200, aborted.statusCode(), aborted.bodyAsString());
    JsonObject ended = executions.awaitEnd("aborted", id, PATIENCE);
    assertEquals("Canceled", ended.getString("lifecycle"), ended.encode());
    assertEquals(Map.of("Failed", 1L, "Canceled", 99L), lifecycles(executions.targets("aborted", id)));
    assertEquals(409, agent.admin().post("/jobs/aborted/executions/" + id + "/abort", new JsonObject())
      .statusCode(), "an ended execution is not aborted again");
  }

  @Test
  void max_failed_percent_counts_every_wave_released_so_far() {
    // Wave 1 (rp_00..rp_09) has 2 failures: 20 % of the 10 released, within 25 %. Wave 2 runs one target at a
    // time and 8 of its 10 fail: its fourth failure makes 6 of the 20 released, 30 %, and pauses the run there.
    scenario.targetGroup("twenty")
      .job("percent")
      .step("migrate", FAILS_ON.formatted("00,01,10,11,12,13,14,15,16,17"))
      .retryAttempts(0)
      .maxParallelism(1)
      .rollout(new JsonObject().put("waves", new JsonArray().add(10).add("100%"))
        .put("errorBudget", new JsonObject().put("maxFailedPercent", 25)))
      .create();
    String id = executions.start("percent");
    JsonObject paused = awaitPaused("percent", id);
    assertTrue(paused.getString("pausedReason").contains("6 of the 20"), paused.encode());
    Map<Integer, List<JsonObject>> waves = byWave(executions.targets("percent", id));
    assertEquals(Map.of("Failed", 2L, "Succeeded", 8L), lifecycles(waves.get(1)),
      "wave 1's two failures did not spend the budget");
    Map<String, Long> second = lifecycles(waves.get(2));
    assertEquals(4L, second.get("Failed"), "paused at the failure that crossed 25 %: " + second);
    assertTrue(second.getOrDefault("Created", 0L) >= 4, "the rest of wave 2 held back: " + second);
    agent.admin().post("/jobs/percent/executions/" + id + "/abort", new JsonObject());
  }

  @Test
  void a_manual_gate_waits_until_resumed() {
    scenario.targetGroup("twenty")
      .job("gated")
      .step("touch", "SELECT 1")
      .rollout(new JsonObject().put("waves", new JsonArray().add(2).add("100%")).put("betweenWaves", "Manual"))
      .create();
    String id = executions.start("gated");
    JsonObject paused = awaitPaused("gated", id);
    assertTrue(paused.getString("pausedReason").contains("Manual"), paused.encode());
    Executions.sleep(1000);
    assertEquals(Map.of("Succeeded", 2L, "Created", 18L), lifecycles(executions.targets("gated", id)));
    JsonObject rollout = executions.steps("gated", id).get(0).getJsonObject("rollout");
    assertEquals(List.of("Done", "Waiting"), rollout.getJsonArray("waves").stream()
      .map(w -> ((JsonObject) w).getString("state")).toList(), rollout.encode());

    assertEquals(200, agent.as("operator").send(HttpMethod.POST, "/jobs/gated/executions/" + id + "/resume", null)
      .statusCode(), "resume takes no body");
    assertEquals("Succeeded", executions.awaitEnd("gated", id, PATIENCE).getString("lifecycle"));
    assertEquals(Map.of("Succeeded", 20L), lifecycles(executions.targets("gated", id)));
  }

  @Test
  void the_budget_holds_with_two_agents_claiming() {
    Agent second = Agent.start(agent.vertx(), AgentConfig.fromJson(agent.agentConfig().put("httpPort", 0)),
      Agent.Dependencies.of(PrometheusRegistry.create())).await();
    try {
      // Both agents claim; at most 5 targets may fail before the run pauses, whichever agent records them.
      scenario.targetGroup("hundred")
        .job("two-agents")
        .step("migrate", "DO $$ BEGIN PERFORM pg_sleep(0.05); IF right(current_database(), 1) IN ('3', '7') "
          + "THEN RAISE EXCEPTION 'broken'; END IF; END $$")
        .retryAttempts(0)
        .maxParallelism(4)
        .rollout(new JsonObject().put("waves", new JsonArray().add("100%"))
          .put("errorBudget", new JsonObject().put("maxFailedTargets", 5)))
        .create();
      String id = executions.start("two-agents");
      awaitPaused("two-agents", id);
      Executions.sleep(1500);
      Map<String, Long> counts = lifecycles(executions.targets("two-agents", id));
      long failed = counts.getOrDefault("Failed", 0L);
      assertTrue(failed >= 6 && failed <= 6 + 4, "the budget paused the run at its 6th failure; only what was "
        + "already running (maxParallelism 4) could fail after it: " + counts);
      assertTrue(counts.getOrDefault("Created", 0L) > 0, "targets held back: " + counts);
      assertEquals(0L, counts.getOrDefault("InProgress", 0L), counts.toString());
      agent.admin().post("/jobs/two-agents/executions/" + id + "/abort", new JsonObject());
    } finally {
      second.stop().await();
    }
  }

  @Test
  void an_alert_rule_pause_action_stops_a_running_rollout_within_a_second() {
    // A failure of job "noisy" fires the rule, which pauses the slow rollout of job "rollout-under-watch".
    scenario.targetGroup("twenty")
      .job("rollout-under-watch")
      .step("slow", "SELECT pg_sleep(0.2)")
      .maxParallelism(1)
      .rollout(new JsonObject().put("waves", new JsonArray().add("100%")))
      .job("noisy")
      .step("fails", "SELECT 1/0")
      .retryAttempts(0)
      .put("/alertRules/stop-the-rollout", new JsonObject()
        .put("criteria", new JsonObject().put("allOf", new JsonArray().add(new JsonObject()
          .put("metricName", "elastic_jobs_failed")
          .put("timeAggregation", "Total")
          .put("operator", "GreaterThan")
          .put("threshold", 0)
          .put("dimensions", new JsonArray().add(new JsonObject().put("name", "jobName").put("operator", "Include")
            .put("values", new JsonArray().add("noisy")))))))
        .put("windowSize", "PT30S")
        .put("evaluationFrequency", "PT1S")
        .put("pauseJobs", new JsonArray().add("rollout-under-watch")))
      .create();
    String id = executions.start("rollout-under-watch");
    executions.awaitTarget("rollout-under-watch", id, t -> "Succeeded".equals(t.getString("lifecycle")), PATIENCE);
    executions.start("noisy");
    JsonObject paused = awaitPaused("rollout-under-watch", id);
    JsonObject alert = agent.admin().get("/alerts?alertRule=stop-the-rollout").bodyAsJsonObject()
      .getJsonArray("value").getJsonObject(0);
    Instant fired = Instant.parse(alert.getString("firedDateTime"));
    assertNotNull(paused.getString("pausedReason"), paused.encode());
    Executions.sleep(1500);
    List<JsonObject> targets = executions.targets("rollout-under-watch", id);
    Instant lastStart = targets.stream().filter(t -> t.getValue("startTime") != null)
      .map(t -> Instant.parse(t.getString("startTime"))).max(Comparator.naturalOrder()).orElseThrow();
    assertTrue(lastStart.isBefore(fired.plusSeconds(1)), "no target started later than a second after the rule "
      + "fired at " + fired + "; the last started at " + lastStart);
    assertTrue(lifecycles(targets).getOrDefault("Created", 0L) > 0, "the rollout was stopped before its end");
    assertEquals("Paused", executions.get("rollout-under-watch", id).getString("lifecycle"));
    agent.admin().post("/jobs/rollout-under-watch/executions/" + id + "/abort", new JsonObject());
  }

  @Test
  void a_step_without_rollout_has_no_waves_and_bad_rollouts_are_refused() {
    scenario.targetGroup("twenty").job("plain").step("touch", "SELECT 1").create();
    String id = executions.start("plain");
    executions.awaitEnd("plain", id, PATIENCE);
    assertNull(executions.steps("plain", id).get(0).getValue("rollout"));
    assertTrue(executions.targets("plain", id).stream().allMatch(t -> t.getValue("wave") == null));
    HttpResponse<Buffer> refused = agent.admin().put("/jobs/plain/steps/touch", new JsonObject()
      .put("targetGroup", "twenty").put("credential", "job").put("action", new JsonObject().put("value", "SELECT 1"))
      .put("rollout", new JsonObject().put("waves", new JsonArray().add("150%"))));
    assertEquals(400, refused.statusCode(), refused.bodyAsString());
    assertTrue(refused.bodyAsJsonObject().getJsonObject("error").getString("target").startsWith("rollout"),
      refused.bodyAsString());
    assertEquals(404, agent.admin().post("/jobs/plain/executions/00000000-0000-0000-0000-000000000001/resume",
      new JsonObject()).statusCode());
  }

  private static JsonObject awaitPaused(String job, String id) {
    return executions.awaitExecution(job, id, execution -> "Paused".equals(execution.getString("lifecycle")),
      PATIENCE);
  }

  private static Map<Integer, List<JsonObject>> byWave(List<JsonObject> targets) {
    return targets.stream().collect(Collectors.groupingBy(t -> t.getInteger("wave"), TreeMap::new,
      Collectors.toList()));
  }

  private static Map<String, Long> lifecycles(List<JsonObject> targets) {
    return targets.stream().collect(Collectors.groupingBy(t -> t.getString("lifecycle"), TreeMap::new,
      Collectors.counting()));
  }
}
