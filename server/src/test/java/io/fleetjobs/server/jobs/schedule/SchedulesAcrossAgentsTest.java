package io.fleetjobs.server.jobs.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.ApiClient;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.MovableClock;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three agents on one job database, each ticking its scheduler every second: a schedule fires once per
 * occurrence, whichever agent sees it first. Time is the agents' shared, moved clock, not a wait of minutes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SchedulesAcrossAgentsTest {

  @Test
  void a_cron_schedule_every_minute_fires_once_a_minute_across_three_agents(Vertx vertx) throws Exception {
    MovableClock clock = new MovableClock(Instant.now().truncatedTo(ChronoUnit.MINUTES).plusSeconds(10));
    String database = TestPostgres.newJobDatabase("schedules_across_agents");
    JsonObject config = AgentFixture.config(database);
    List<Agent> agents = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        agents.add(Agent.start(vertx, AgentConfig.fromJson(config),
          Agent.Dependencies.of(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).withClock(clock)).await());
      }
      ApiClient api = ApiClient.create(vertx, agents.get(0).httpPort(), AgentFixture.ADMIN_TOKEN);
      api.put("/targetGroups/nobody", new JsonObject().put("members", new JsonArray()));
      api.put("/jobs/every-minute", new JsonObject().put("schedule", new JsonObject().put("type", "Cron")
        .put("cronExpression", "* * * * *").put("enabled", true)));
      api.put("/jobs/every-minute/steps/s1", new JsonObject().put("targetGroup", "nobody")
        .put("action", new JsonObject().put("value", "SELECT 1")));
      // Whatever enabling the schedule fires at once is done before the minutes are counted.
      Executions.sleep(2500);
      int before = scheduled(database);
      for (int minute = 1; minute <= 3; minute++) {
        clock.advance(Duration.ofMinutes(1));
        awaitScheduled(database, before + minute);
      }
      // Every agent ticked at least twice more on the last minute: still one execution per minute.
      Executions.sleep(2500);
      assertEquals(before + 3, scheduled(database), "three minutes, three executions");
    } finally {
      for (Agent agent : agents) {
        agent.stop().await();
      }
    }
  }

  private static void awaitScheduled(String database, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (scheduled(database) < count && System.nanoTime() < deadline) {
      Executions.sleep(100);
    }
    assertEquals(count, scheduled(database));
  }

  private static int scheduled(String database) throws Exception {
    try (Connection db = TestPostgres.connect(database, "postgres"); Statement sql = db.createStatement();
         ResultSet rows = sql.executeQuery(
           "SELECT count(*) FROM jobs_internal.job_executions WHERE trigger_type = 'Schedule'")) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
