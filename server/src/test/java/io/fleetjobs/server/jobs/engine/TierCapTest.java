package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tier caps targets in progress across all jobs; maxParallelism caps them per server. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TierCapTest {
  private static final int DATABASES = 130;
  private static AgentFixture agent;
  private static TargetServer server;
  private static Executions executions;

  @BeforeAll
  static void start(Vertx vertx) {
    server = TargetServer.start();
    server.createDatabases(IntStream.range(0, DATABASES).mapToObj(i -> "cap_" + i).toArray(String[]::new));
    agent = AgentFixture.start(vertx, "tier_cap", new JsonObject().put("tier", "JA100"));
    executions = new Executions(agent.admin());
    agent.admin().put("/credentials/job", new JsonObject().put("username", "postgres").put("password", "x"));
    // 130 targets, wider than JA100.
    JsonArray members = new JsonArray();
    for (int i = 0; i < DATABASES; i++) {
      members.add(new JsonObject().put("type", "SqlDatabase").put("serverName", "localhost:" + server.port())
        .put("databaseName", "cap_" + i));
    }
    agent.admin().put("/targetGroups/wide", new JsonObject().put("members", members));
  }

  @AfterAll
  static void stop() {
    agent.close();
    server.close();
  }

  @Test
  void never_exceeds_tier_cap() {
    assertEquals(100, agent.admin().get("/agent").bodyAsJsonObject().getJsonObject("sku").getInteger("capacity"));
    job("wide", "wide", "SELECT pg_sleep(1.5) /* tier-cap-marker */", null);
    String id = executions.start("wide");
    int most = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (executions.get("wide", id).getBoolean("isActive") && System.nanoTime() < deadline) {
      most = Math.max(most, running("tier-cap-marker"));
    }
    JsonObject done = executions.awaitEnd("wide", id, Duration.ofSeconds(30));
    assertEquals("Succeeded", done.getString("lifecycle"), done.encode());
    assertEquals(DATABASES, executions.targets("wide", id).size());
    assertTrue(most <= 100, "at most 100 statements ran at once on JA100, saw " + most);
    assertTrue(most >= 60, "the agent did fill its slots: saw " + most + " at once");
  }

  @Test
  void max_parallelism_caps_the_targets_running_at_once_per_server() {
    agent.admin().put("/targetGroups/narrow", new JsonObject().put("members", new JsonArray(IntStream.range(0, 9)
      .mapToObj(i -> new JsonObject().put("type", "SqlDatabase").put("serverName", "localhost:" + server.port())
        .put("databaseName", "cap_" + i)).toList())));
    job("narrow", "narrow", "SELECT pg_sleep(0.5) /* parallelism-marker */", 3);
    String id = executions.start("narrow");
    int most = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (executions.get("narrow", id).getBoolean("isActive") && System.nanoTime() < deadline) {
      most = Math.max(most, running("parallelism-marker"));
    }
    assertEquals("Succeeded", executions.awaitEnd("narrow", id, Duration.ofSeconds(30)).getString("lifecycle"));
    assertTrue(most <= 3 && most >= 2, "maxParallelism 3 on one server, saw " + most + " at once");
  }

  @Test
  void the_tier_can_change_at_run_time() {
    JsonObject changed = agent.admin().put("/agent", new JsonObject().put("sku", new JsonObject().put("name", "JA200")))
      .bodyAsJsonObject();
    assertEquals(200, changed.getJsonObject("sku").getInteger("capacity"));
    assertEquals("JA200", agent.admin().get("/agent").bodyAsJsonObject().getJsonObject("sku").getString("name"));
    assertEquals(403, agent.as("operator").put("/agent", new JsonObject().put("sku", new JsonObject()
      .put("name", "JA800"))).statusCode());
    agent.admin().put("/agent", new JsonObject().put("sku", new JsonObject().put("name", "JA100")));
  }

  private static int running(String marker) {
    return Integer.parseInt(server.column("postgres", "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%"
      + marker + "%' AND query NOT LIKE '%pg_stat_activity%'").get(0));
  }

  private static void job(String name, String group, String command, Integer maxParallelism) {
    agent.admin().put("/jobs/" + name, new JsonObject());
    JsonObject step = new JsonObject().put("targetGroup", group).put("credential", "job")
      .put("action", new JsonObject().put("value", command));
    if (maxParallelism != null) {
      step.put("maxParallelism", maxParallelism);
    }
    agent.admin().put("/jobs/" + name + "/steps/s1", step);
  }
}
