package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.AgentProcess;
import io.fleetjobs.server.testsupport.ApiClient;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.JobDatabaseServer;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several agents, each in a JVM of its own, sharing one job database, under real faults: an agent killed,
 * an agent frozen past its lease, the job database restarted, a notification's holder killed, a rolling restart.
 * Correctness rests on leases and fencing alone; these tests check what they promise, on real PostgreSQL servers.
 *
 * <p>The cases share one job database and a pool of agents, as a fleet's agents live through one fault after
 * another: an agent a case killed, froze or stopped leaves the pool, and the next case starts a replacement. Each
 * case counts only its own job's rows. Starting a JVM per agent per case cost 21 starts; the pool needs 9.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiAgentIT {
  private static final Duration PATIENCE = Duration.ofSeconds(120);
  private static final int LEASE_SECONDS = 3;
  private static final String DATABASE = "multi_agents";
  private static final String MASTER_KEY = masterKey();
  private static final List<AgentProcess> agents = new ArrayList<>();
  private static final AtomicInteger started = new AtomicInteger();
  private static JobDatabaseServer jobServer;
  private static TargetServer targets;
  private static Vertx vertx;
  private static Map<String, String> environment;
  @TempDir
  static Path scratch;

  @BeforeAll
  static void servers() throws Exception {
    vertx = Vertx.vertx();
    // The target fleet is created while the job database server starts.
    CompletableFuture<TargetServer> fleet = CompletableFuture.supplyAsync(() -> {
      TargetServer server = TargetServer.start();
      server.createDatabases(IntStream.range(0, 300).mapToObj(i -> "tenant_" + i).toArray(String[]::new));
      return server;
    });
    jobServer = JobDatabaseServer.start(scratch.resolve("job-database"));
    environment = Map.ofEntries(
      Map.entry("FLEETJOBS_HTTP_PORT", "0"),
      Map.entry("FLEETJOBS_HTTP_HOST", "127.0.0.1"),
      Map.entry("FLEETJOBS_DB_URL", jobServer.newDatabase(DATABASE)),
      Map.entry("FLEETJOBS_MASTER_KEY", MASTER_KEY),
      Map.entry("FLEETJOBS_BOOTSTRAP_ADMIN_TOKEN", AgentFixture.ADMIN_TOKEN),
      Map.entry("FLEETJOBS_LEASE_SECONDS", String.valueOf(LEASE_SECONDS)),
      Map.entry("FLEETJOBS_DISPATCH_INTERVAL_MS", "50"),
      Map.entry("FLEETJOBS_HEARTBEAT_SECONDS", "1"),
      Map.entry("FLEETJOBS_TIER", "JA100"),
      // For the notification case; the other cases fire no alert.
      Map.entry("FLEETJOBS_WEBHOOK_ALLOW", "127.0.0.1"),
      Map.entry("FLEETJOBS_ALERT_DELIVERY_LEASE_SECONDS", String.valueOf(LEASE_SECONDS)));
    targets = fleet.join();
  }

  @AfterAll
  static void stopServers() throws Exception {
    for (AgentProcess agent : agents) {
      agent.close();
    }
    targets.close();
    jobServer.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  @Order(1)
  void three_agents_share_the_tier_instead_of_the_first_taking_it_all() throws Exception {
    ApiClient api = agents(3);
    defineFleet(api, "share", 300, "SELECT pg_sleep(0.3)", null);
    String id = new Executions(api).start("share");
    assertEquals("Succeeded", new Executions(api).awaitEnd("share", id, PATIENCE).getString("lifecycle"));
    Map<String, Integer> perAgent = perAgent(id);
    assertEquals(300, perAgent.values().stream().mapToInt(Integer::intValue).sum());
    assertEquals(3, perAgent.size(), "every agent ran some: " + perAgent);
    perAgent.forEach((agent, count) -> assertTrue(count >= 60 && count <= 150,
      "each agent ran between a fifth and a half of the targets: " + perAgent));
    System.out.printf("share: 300 targets, 300 recorded, per agent %s%n", perAgent.values());
  }

  @Test
  @Order(4)
  void a_killed_agent_loses_nothing_records_nothing_twice_and_the_cap_holds() throws Exception {
    ApiClient api = agents(3);
    defineFleet(api, "kill", 300, "SELECT pg_sleep(1) /* multi-agent-kill */", null);
    AtomicInteger most = new AtomicInteger();
    AtomicBoolean sampling = new AtomicBoolean(true);
    CompletableFuture<Void> sampler = CompletableFuture.runAsync(() -> {
      while (sampling.get()) {
        most.accumulateAndGet(Integer.parseInt(targets.column("postgres", "SELECT count(*) FROM pg_stat_activity"
          + " WHERE query LIKE '%multi-agent-kill%' AND state = 'active' AND pid <> pg_backend_pid()").get(0)),
          Math::max);
        Executions.sleep(20);
      }
    });
    String id = new Executions(api).start("kill");
    awaitSucceeded(id, 60);
    long killedAt = System.nanoTime();
    agents.get(2).kill();
    JsonObject done = new Executions(api).awaitEnd("kill", id, PATIENCE);
    long recoveredMs = (System.nanoTime() - killedAt) / 1_000_000;
    sampling.set(false);
    sampler.get(10, TimeUnit.SECONDS);
    assertEquals("Succeeded", done.getString("lifecycle"), done.encode());
    assertEquals(300, count("SELECT count(*) FROM jobs_internal.target_executions WHERE job_execution_id = '" + id
      + "' AND lifecycle = 'Succeeded'"), "every target ended, once");
    assertEquals(300, count("SELECT coalesce(sum(count), 0) FROM jobs_internal.metric_counts"
      + " WHERE job_name = 'kill' AND metric_name = 'elastic_jobs_successful'"), "each success was counted once");
    assertEquals(0, count("SELECT count(*) FROM jobs_internal.target_executions WHERE job_execution_id = '" + id
      + "' AND current_attempts > 1"), "the lost leases spent no attempt");
    assertTrue(most.get() <= 100, "at most JA100's 100 statements at once across the agents, saw " + most.get());
    System.out.printf("kill: 300 targets, 300 recorded, at most %d at once, finished %d ms after the kill%n",
      most.get(), recoveredMs);
  }

  @Test
  @Order(3)
  void a_frozen_agent_is_fenced_out_when_it_wakes_and_nothing_is_doubled() throws Exception {
    ApiClient api = agents(3);
    // More targets than two agents' shares (34 each of JA100), so the one to be frozen surely holds some.
    defineFleet(api, "zombie", 120, "SELECT current_database() AS db FROM pg_sleep(2)", new JsonObject()
      .put("serverName", targets.serverName()).put("databaseName", "tenant_0").put("tableName", "zombie_out")
      .put("credential", "job"));
    String id = new Executions(api).start("zombie");
    AgentProcess frozen = agents.get(1);
    awaitHolding(frozen, id);
    frozen.pause();
    long takenOverMs;
    // Whatever happens, the frozen agent leaves the pool: what it does after its fencing is no later case's.
    try {
      // Past its lease: the others take its targets over while it is frozen.
      long frozenAt = System.nanoTime();
      awaitTakenOver(frozen, id);
      takenOverMs = (System.nanoTime() - frozenAt) / 1_000_000;
      frozen.resume();
      JsonObject done = new Executions(api).awaitEnd("zombie", id, PATIENCE);
      assertEquals("Succeeded", done.getString("lifecycle"), done.encode());
      assertEquals(120, count("SELECT coalesce(sum(count), 0) FROM jobs_internal.metric_counts"
        + " WHERE job_name = 'zombie' AND metric_name = 'elastic_jobs_successful'"), "no target recorded twice");
      assertEquals(List.of("120", "120"), targets.column("tenant_0", "SELECT count(*)::text FROM zombie_out"
        + " WHERE internal_execution_id = '" + id + "' UNION ALL SELECT count(DISTINCT target_database_name)::text"
        + " FROM zombie_out WHERE internal_execution_id = '" + id + "'"), "one output row per target, none doubled");
      awaitLog(frozen, "fencing");
    } finally {
      retire(frozen);
    }
    System.out.printf("zombie: 120 targets, 120 recorded, 120 output rows, taken over %d ms after the freeze%n",
      takenOverMs);
  }

  @Test
  @Order(6)
  void a_rolling_restart_loses_nothing_spends_no_attempt_and_is_late_by_no_more_than_its_stops() throws Exception {
    // The three agents and their three replacements are live first, as a rolling update with surge starts each
    // new agent before it stops an old one; the old ones then get SIGTERM, one at a time, mid-run.
    agents(6);
    ApiClient api = ApiClient.create(vertx, agents.get(5).port(), AgentFixture.ADMIN_TOKEN);
    defineFleet(api, "rolling", 300, "SELECT pg_sleep(3)", null);
    long undisturbedMs = timedRun(api, "rolling", id -> { }).millis();
    List<Long> stopsMs = new ArrayList<>();
    TimedRun disturbed = timedRun(api, "rolling", id -> {
      awaitSucceeded(id, 1);
      for (AgentProcess old : agents.subList(0, 3)) {
        long stopping = System.nanoTime();
        old.terminate();
        stopsMs.add((System.nanoTime() - stopping) / 1_000_000);
        // One heartbeat: the live agents take the stopped one's share before the next one stops.
        Executions.sleep(1000);
      }
    });
    String id = disturbed.id();
    assertEquals(300, count("SELECT count(*) FROM jobs_internal.target_executions WHERE job_execution_id = '"
      + id + "' AND lifecycle = 'Succeeded'"), "every target ended Succeeded");
    assertEquals(0, count("SELECT count(*) FROM jobs_internal.target_executions WHERE job_execution_id = '" + id
      + "' AND current_attempts > 1"), "a stop spent no attempt");
    long claimedAgain = count("SELECT count(*) FROM jobs_internal.target_executions WHERE job_execution_id = '"
      + id + "' AND claim > 1");
    long restartsMs = stopsMs.stream().mapToLong(Long::longValue).sum() + 3 * 1000;
    long lateMs = disturbed.millis() - undisturbedMs;
    // The runs of one job move by a fifth on two shared cores; the stops' own delay is what may be added.
    assertTrue(lateMs <= restartsMs + undisturbedMs / 5, "the run ended " + lateMs + " ms late for " + restartsMs
      + " ms of stops (undisturbed " + undisturbedMs + " ms)");
    System.out.printf("rolling: 300 targets, 300 recorded, %d claimed again, undisturbed %d ms, with 3 SIGTERMs %d ms"
      + " (stops %s ms)%n", claimedAgain, undisturbedMs, disturbed.millis(), stopsMs);
  }

  private record TimedRun(String id, long millis) { }

  private interface DuringRun {
    void accept(String execution) throws Exception;
  }

  /** Starts the job, does what {@code meanwhile} does, and times the run until it ended Succeeded. */
  private TimedRun timedRun(ApiClient api, String job, DuringRun meanwhile) throws Exception {
    long started = System.nanoTime();
    String id = new Executions(api).start(job);
    meanwhile.accept(id);
    JsonObject done = new Executions(api).awaitEnd(job, id, PATIENCE);
    assertEquals("Succeeded", done.getString("lifecycle"), done.encode());
    return new TimedRun(id, (System.nanoTime() - started) / 1_000_000);
  }

  @Test
  @Order(2)
  void a_job_database_restart_mid_run_is_survived_and_shows_in_readiness() throws Exception {
    ApiClient api = agents(3);
    defineFleet(api, "restart", 200, "SELECT pg_sleep(0.5)", null);
    String id = new Executions(api).start("restart");
    awaitSucceeded(id, 40);
    WebClient health = WebClient.create(vertx);
    AtomicBoolean sawOutage = new AtomicBoolean();
    long restartedAt = System.nanoTime();
    jobServer.restart(() -> {
      long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < until) {
        int status = health.get(agents.get(0).port(), "localhost", "/health/ready").send()
          .toCompletionStage().toCompletableFuture().join().statusCode();
        sawOutage.compareAndSet(false, status == 503);
        Executions.sleep(200);
      }
    });
    JsonObject done = new Executions(api).awaitEnd("restart", id, PATIENCE);
    long endedMs = (System.nanoTime() - restartedAt) / 1_000_000;
    assertEquals("Succeeded", done.getString("lifecycle"), done.encode());
    assertTrue(sawOutage.get(), "/health/ready said 503 while the job database was down");
    assertEquals(200, count("SELECT count(*) FROM jobs_internal.target_executions WHERE job_execution_id = '" + id
      + "' AND lifecycle = 'Succeeded'"));
    health.close();
    System.out.printf("restart: 200 targets, 200 recorded, run ended %d ms after the restart began%n", endedMs);
  }

  @Test
  @Order(5)
  void a_notification_whose_agent_dies_mid_delivery_is_delivered_once_by_another() throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(vertx);
    try {
      // The first delivery hangs until its agent is gone; the next one is answered at once.
      receiver.script("/hook", new WebhookReceiver.Reply(200, null, 60_000), WebhookReceiver.Reply.status(200));
      ApiClient api = agents(3);
      api.put("/actionGroups/oncall", new JsonObject().put("webhookReceivers", new JsonArray()
        .add(new JsonObject().put("name", "hook").put("serviceUri", receiver.url("/hook")))));
      api.put("/alertRules/failing", new JsonObject()
        .put("criteria", new JsonObject().put("allOf", new JsonArray().add(new JsonObject()
          .put("metricName", "elastic_jobs_failed").put("timeAggregation", "Total").put("operator", "GreaterThan")
          .put("threshold", 0))))
        .put("windowSize", "PT1M").put("evaluationFrequency", "PT1S").put("actions", new JsonArray().add("oncall")));
      defineFleet(api, "failing", 1, "SELECT 1/0", null);
      new Executions(api).start("failing");
      WebhookReceiver.Received first = receiver.await("/hook", got -> got.size() >= 1, PATIENCE).get(0);
      String holder = awaitValue("SELECT lease_owner FROM alerts.notifications WHERE status = 'Delivering'");
      AgentProcess holding = agents.stream().filter(agent -> agent.owns(holder)).findFirst().orElseThrow();
      long killedAt = System.nanoTime();
      holding.kill();
      List<WebhookReceiver.Received> both = receiver.await("/hook", got -> got.size() >= 2, PATIENCE);
      long redeliveredMs = (System.nanoTime() - killedAt) / 1_000_000;
      Executions.sleep(3000);
      assertEquals(2, receiver.at("/hook").size(), "nothing is sent again after a 2xx: " + receiver.at("/hook"));
      assertEquals(first.headers().get("webhook-id"), both.get(1).headers().get("webhook-id"),
        "the other agent delivered the same notification");
      System.out.printf("notification: delivered again %d ms after its holder was killed, 2 requests, 1 webhook-id%n",
        redeliveredMs);
      // The rule counts every job's failures; the next cases' runs must not fire it.
      AgentProcess survivor = agents.stream().filter(AgentProcess::alive).findFirst().orElseThrow();
      assertEquals(204, ApiClient.create(vertx, survivor.port(), AgentFixture.ADMIN_TOKEN)
        .delete("/alertRules/failing").statusCode());
    } finally {
      receiver.close();
    }
  }

  /**
   * The pool, topped up to {@code n} running agents (those a case killed or stopped leave it), once every one of
   * them reports Live; returns a client of the first.
   */
  private static ApiClient agents(int n) throws Exception {
    agents.removeIf(agent -> !agent.alive());
    if (agents.isEmpty()) {
      // The first agent migrates the new database alone; the others start together once it is up.
      agents.add(startAgent());
    }
    List<CompletableFuture<AgentProcess>> more = IntStream.range(agents.size(), n)
      .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
        try {
          return startAgent();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }))
      .toList();
    for (CompletableFuture<AgentProcess> agent : more) {
      agents.add(agent.get(3, TimeUnit.MINUTES));
    }
    ApiClient api = ApiClient.create(vertx, agents.get(0).port(), AgentFixture.ADMIN_TOKEN);
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!allLive(api)) {
      assertTrue(System.nanoTime() < deadline, "the agents did not all report live");
      Executions.sleep(200);
    }
    return api;
  }

  private static AgentProcess startAgent() throws Exception {
    return AgentProcess.start(environment, scratch.resolve("agent-" + started.incrementAndGet() + ".log"));
  }

  /** Takes the agent out of the pool and stops it, frozen or not. */
  private static void retire(AgentProcess agent) throws Exception {
    agent.close();
    agents.remove(agent);
  }

  private static boolean allLive(ApiClient api) {
    List<String> live = api.get("/agents").bodyAsJsonObject().getJsonArray("value").stream()
      .map(agent -> (JsonObject) agent)
      .filter(agent -> agent.getString("state").equals("Live"))
      .map(agent -> agent.getString("agentId"))
      .toList();
    return agents.stream().allMatch(agent -> live.stream().anyMatch(agent::owns));
  }

  private void defineFleet(ApiClient api, String job, int databases, String script, JsonObject output) {
    api.put("/credentials/job", new JsonObject().put("username", "postgres").put("password", "x"));
    JsonArray members = new JsonArray();
    IntStream.range(0, databases).forEach(i -> members.add(new JsonObject().put("type", "SqlDatabase")
      .put("serverName", targets.serverName()).put("databaseName", "tenant_" + i)));
    api.put("/targetGroups/" + job, new JsonObject().put("members", members));
    api.put("/jobs/" + job, new JsonObject());
    JsonObject step = new JsonObject().put("targetGroup", job).put("credential", "job")
      .put("action", new JsonObject().put("value", script))
      .put("executionOptions", new JsonObject().put("retryAttempts", 0));
    if (output != null) {
      step.put("output", output);
    }
    assertTrue(api.put("/jobs/" + job + "/steps/s1", step).statusCode() < 300);
  }

  private Map<String, Integer> perAgent(String execution) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    try (Connection db = jobServer.connect(DATABASE); Statement sql = db.createStatement();
         ResultSet rows = sql.executeQuery("SELECT a.agent, count(*) FROM jobs_internal.target_attempts a"
           + " JOIN jobs_internal.target_executions t USING (target_execution_id)"
           + " WHERE t.job_execution_id = '" + execution + "' AND a.outcome = 'Succeeded' GROUP BY a.agent")) {
      while (rows.next()) {
        counts.put(rows.getString(1), rows.getInt(2));
      }
    }
    return counts;
  }

  private void awaitSucceeded(String execution, int atLeast) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (count("SELECT count(*) FROM jobs_internal.target_executions WHERE job_execution_id = '" + execution
      + "' AND lifecycle = 'Succeeded'") < atLeast) {
      assertTrue(System.nanoTime() < deadline, "the run did not get going");
      Executions.sleep(50);
    }
  }

  private void awaitHolding(AgentProcess agent, String execution) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!holdsAny(agent, execution)) {
      assertTrue(System.nanoTime() < deadline, "the agent never held a target");
      Executions.sleep(20);
    }
  }

  /** Waits until no target of the execution is in progress under the agent's lease: others took them over. */
  private void awaitTakenOver(AgentProcess agent, String execution) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (holdsAny(agent, execution)) {
      assertTrue(System.nanoTime() < deadline, "the others never took over the frozen agent's targets");
      Executions.sleep(100);
    }
  }

  /** Whether a target of the execution is in progress under the agent's lease. */
  private boolean holdsAny(AgentProcess agent, String execution) throws Exception {
    try (Connection db = jobServer.connect(DATABASE); Statement sql = db.createStatement();
         ResultSet rows = sql.executeQuery("SELECT lease_owner FROM jobs_internal.target_executions"
           + " WHERE job_execution_id = '" + execution + "' AND lifecycle = 'InProgress'")) {
      while (rows.next()) {
        if (agent.owns(rows.getString(1))) {
          return true;
        }
      }
    }
    return false;
  }

  private static void awaitLog(AgentProcess agent, String text) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!agent.log().contains(text)) {
      assertTrue(System.nanoTime() < deadline, "the agent never logged '" + text + "':\n" + agent.log());
      Executions.sleep(200);
    }
  }

  private String awaitValue(String query) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (true) {
      try (Connection db = jobServer.connect(DATABASE); Statement sql = db.createStatement();
           ResultSet rows = sql.executeQuery(query)) {
        if (rows.next() && rows.getString(1) != null) {
          return rows.getString(1);
        }
      }
      assertTrue(System.nanoTime() < deadline, "nothing for " + query);
      Executions.sleep(20);
    }
  }

  private long count(String query) throws Exception {
    try (Connection db = jobServer.connect(DATABASE); Statement sql = db.createStatement();
         ResultSet rows = sql.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static String masterKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }
}
