package io.fleetjobs.server.jobs.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.MovableClock;
import io.fleetjobs.server.testsupport.Scenario;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Scheduled runs against a real job database: each occurrence fires once, and downtime catches up once. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SchedulerTest {
  // The agent's clock stands still unless a test moves it: no occurrence becomes due while a test looks.
  private static final MovableClock CLOCK = new MovableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("scheduler").withClock(CLOCK);
  private static final Scenario scenario = Scenario.on(agent);

  @BeforeAll
  static void setUp() {
    scenario.group("empty")
      .create();
  }

  @Test
  void a_schedule_missed_during_downtime_fires_once_to_catch_up() throws Exception {
    scenario.job("catch-up")
      .schedule(new JsonObject().put("type", "Recurring").put("interval", "PT1M").put("enabled", true)
        .put("startTime", "2026-01-01T00:00:00Z"))
      .step("s1", "SELECT 1")
      .create();
    // As if the agent had been down for three hours since the schedule was set.
    CLOCK.advance(Duration.ofHours(3));
    Instant back = CLOCK.instant();
    List<String> fired = awaitScheduled("catch-up", 1, Duration.ofSeconds(10));
    Executions.sleep(2500);
    // One run for the whole downtime, not 180; a new minute beginning while the test waits may add its own.
    List<Instant> all = scheduledTimes("catch-up").stream().map(Instant::parse).toList();
    assertTrue(all.size() == 1 || (all.size() == 2 && Duration.between(all.get(0), all.get(1)).getSeconds() == 60),
      "one catch-up run: " + all);
    Instant scheduledFor = Instant.parse(fired.get(0));
    assertEquals(0, scheduledFor.getEpochSecond() % 60, "it fired for a minute boundary: " + scheduledFor);
    assertTrue(Duration.between(scheduledFor, back).getSeconds() < 120, "the latest occurrence, not an old one");
  }

  @Test
  void a_once_job_runs_once_and_a_disabled_job_not_at_all() throws Exception {
    scenario.job("once")
      .schedule(new JsonObject().put("type", "Once").put("enabled", true).put("startTime", "2026-01-01T00:00:00Z"))
      .step("s1", "SELECT 1")
      .job("disabled")
      .schedule(new JsonObject().put("type", "Recurring").put("interval", "PT1M").put("enabled", false))
      .step("s1", "SELECT 1")
      .create();
    CLOCK.advance(Duration.ofHours(1));
    awaitScheduled("once", 1, Duration.ofSeconds(10));
    Executions.sleep(2500);
    assertEquals(1, scheduledTimes("once").size());
    assertEquals(0, scheduledTimes("disabled").size());
    String id = agent.admin().post("/jobs/disabled/start", new JsonObject()).bodyAsJsonObject().getString("jobExecutionId");
    assertEquals("Succeeded", new Executions(agent.admin()).awaitEnd("disabled", id, Duration.ofSeconds(30))
      .getString("lifecycle"), "a disabled job still starts by hand");
  }

  private static List<String> awaitScheduled(String job, int count, Duration patience) throws Exception {
    long deadline = System.nanoTime() + patience.toNanos();
    List<String> times = scheduledTimes(job);
    while (times.size() < count && System.nanoTime() < deadline) {
      Executions.sleep(100);
      times = scheduledTimes(job);
    }
    assertEquals(count, times.size(), job + " fired " + times);
    return times;
  }

  private static List<String> scheduledTimes(String job) throws Exception {
    try (Connection db = agent.jdbc(); Statement sql = db.createStatement();
         ResultSet rows = sql.executeQuery("SELECT to_char(e.scheduled_time AT TIME ZONE 'UTC', "
           + "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM jobs_internal.job_executions e JOIN jobs_internal.jobs j USING (job_id)"
           + " WHERE j.job_name = '" + job + "' AND e.trigger_type = 'Schedule' ORDER BY 1")) {
      List<String> times = new ArrayList<>();
      while (rows.next()) {
        times.add(rows.getString(1));
      }
      return times;
    }
  }
}
