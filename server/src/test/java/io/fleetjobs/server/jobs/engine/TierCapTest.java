package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The tier caps targets in progress across all jobs; maxParallelism caps them per server. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TierCapTest {
  private static final int DATABASES = 130;
  private static final String[] CAPS = Scenario.numbered("cap_", DATABASES);

  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("tier_cap", new JsonObject().put("tier", "JA100"));
  private static final TargetServer server = agent.targetServer();
  private static final Executions executions = new Executions(agent);
  private static final Scenario scenario = Scenario.on(agent);

  @BeforeAll
  static void setUp() {
    // 130 targets, wider than JA100.
    scenario.fleet(server, CAPS)
      .credential("job")
      .group("wide", CAPS)
      .create();
  }

  @Test
  void never_exceeds_tier_cap() {
    assertEquals(100, agent.admin().get("/agent").bodyAsJsonObject().getJsonObject("sku").getInteger("capacity"));
    scenario.job("wide")
      .step("s1", "SELECT pg_sleep(1.5) /* tier-cap-marker */")
      .create();
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
    scenario.group("narrow", Scenario.numbered("cap_", 9))
      .job("narrow")
      .step("s1", "SELECT pg_sleep(0.5) /* parallelism-marker */")
      .maxParallelism(3)
      .create();
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
}
