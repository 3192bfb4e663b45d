package io.fleetjobs.server.jobs.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scheduled runs against a real job database, with the agent's clock moved by the tests: each occurrence fires
 * once; a schedule that starts in the past runs at once when enabled; downtime and a disabled spell catch up once.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SchedulerTest {
  // The agent's clock stands still unless a test moves it: no occurrence becomes due while a test looks.
  private static final MovableClock CLOCK = new MovableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private static final AtomicInteger PROBES = new AtomicInteger();
  // A short tick: the tests wait for the scheduler's rounds, not for a time.
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("scheduler", new JsonObject().put("scheduleTickMs", 100))
    .withClock(CLOCK);
  private static final Scenario scenario = Scenario.on(agent);

  @BeforeAll
  static void setUp() {
    scenario.group("empty")
      .create();
  }

  @Test
  void a_schedule_that_starts_in_the_past_runs_at_once_when_enabled_and_then_on_its_schedule() throws Exception {
    JsonObject everyMinute = new JsonObject().put("type", "Recurring").put("interval", "PT1M");
    job("past-start", everyMinute.copy().put("enabled", false));
    awaitTwoSchedulerRounds();
    assertEquals(List.of(), scheduledTimes("past-start"), "disabled: it waits");
    schedule("past-start", everyMinute.copy().put("enabled", true));
    Instant enabledAt = CLOCK.instant();
    Instant first = Instant.parse(awaitScheduled("past-start", 1, Duration.ofSeconds(10)).get(0));
    assertEquals(enabledAt.truncatedTo(ChronoUnit.MINUTES), first, "for the latest occurrence of its schedule");
    awaitTwoSchedulerRounds();
    assertEquals(1, scheduledTimes("past-start").size(), "once");
    CLOCK.advance(Duration.ofMinutes(1));
    assertEquals(first.plusSeconds(60), Instant.parse(awaitScheduled("past-start", 2, Duration.ofSeconds(10)).get(1)),
      "then on its schedule");
  }

  @Test
  void a_disabled_job_that_missed_occurrences_catches_up_once_when_enabled_again() throws Exception {
    JsonObject everyMinute = new JsonObject().put("type", "Recurring").put("interval", "PT1M");
    job("paused", everyMinute.copy().put("enabled", true));
    awaitScheduled("paused", 1, Duration.ofSeconds(10));
    schedule("paused", everyMinute.copy().put("enabled", false));
    CLOCK.advance(Duration.ofHours(3));
    awaitTwoSchedulerRounds();
    assertEquals(1, scheduledTimes("paused").size(), "nothing runs while it is disabled");
    schedule("paused", everyMinute.copy().put("enabled", true));
    Instant caughtUp = Instant.parse(awaitScheduled("paused", 2, Duration.ofSeconds(10)).get(1));
    assertEquals(CLOCK.instant().truncatedTo(ChronoUnit.MINUTES), caughtUp, "for the latest missed occurrence");
    awaitTwoSchedulerRounds();
    assertEquals(2, scheduledTimes("paused").size(), "one run for the 180 missed occurrences");
  }

  @Test
  void a_schedule_missed_during_downtime_fires_once_to_catch_up() throws Exception {
    scenario.job("catch-up")
      .schedule(new JsonObject().put("type", "Recurring").put("interval", "PT1M").put("enabled", true)
        .put("startTime", "2026-01-01T00:00:00Z"))
      .step("s1", "SELECT 1")
      .create();
    awaitScheduled("catch-up", 1, Duration.ofSeconds(10));
    // As if the agent had been down for three hours.
    CLOCK.advance(Duration.ofHours(3));
    Instant back = CLOCK.instant();
    List<String> fired = awaitScheduled("catch-up", 2, Duration.ofSeconds(10));
    awaitTwoSchedulerRounds();
    assertEquals(2, scheduledTimes("catch-up").size(), "one run for the whole downtime, not 180");
    assertEquals(back.truncatedTo(ChronoUnit.MINUTES), Instant.parse(fired.get(1)), "the latest occurrence");
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
    awaitTwoSchedulerRounds();
    assertEquals(1, scheduledTimes("once").size());
    assertEquals(0, scheduledTimes("disabled").size());
    String id = agent.admin().post("/jobs/disabled/start", new JsonObject()).bodyAsJsonObject().getString("jobExecutionId");
    assertEquals("Succeeded", new Executions(agent.admin()).awaitEnd("disabled", id, Duration.ofSeconds(30))
      .getString("lifecycle"), "a disabled job still starts by hand");
  }

  @Test
  void a_new_cron_schedule_waits_for_its_first_time_after_it_is_saved() throws Exception {
    job("cron", new JsonObject().put("type", "Cron").put("cronExpression", "* * * * *").put("timeZone", "UTC")
      .put("enabled", true));
    awaitTwoSchedulerRounds();
    assertEquals(List.of(), scheduledTimes("cron"), "the minute it was saved in had begun before it existed");
    CLOCK.advance(Duration.ofMinutes(1));
    assertEquals(CLOCK.instant().truncatedTo(ChronoUnit.MINUTES),
      Instant.parse(awaitScheduled("cron", 1, Duration.ofSeconds(10)).get(0)));
  }

  @Test
  void an_enabled_job_without_steps_waits_for_its_first_step() throws Exception {
    schedule("stepless", new JsonObject().put("type", "Recurring").put("interval", "PT1M").put("enabled", true));
    awaitTwoSchedulerRounds();
    assertEquals(List.of(), scheduledTimes("stepless"), "no empty run");
    step("stepless");
    awaitScheduled("stepless", 1, Duration.ofSeconds(10));
  }

  private static void job(String name, JsonObject schedule) {
    schedule(name, schedule);
    step(name);
  }

  private static void schedule(String name, JsonObject schedule) {
    agent.admin().put("/jobs/" + name, new JsonObject().put("schedule", schedule));
  }

  private static void step(String job) {
    agent.admin().put("/jobs/" + job + "/steps/s1", new JsonObject().put("targetGroup", "empty")
      .put("action", new JsonObject().put("value", "SELECT 1")));
  }

  /**
   * Returns once the scheduler has looked at every job twice since the call, so that whatever it was going to fire
   * by now is recorded: a Once job that is due fires in the first round that sees it, and a second one, saved after
   * the first fired, in a later round, which starts only after the first round's firings are done.
   */
  private static void awaitTwoSchedulerRounds() throws Exception {
    for (int round = 0; round < 2; round++) {
      String probe = "round-probe-" + PROBES.incrementAndGet();
      job(probe, new JsonObject().put("type", "Once").put("enabled", true)
        .put("startTime", CLOCK.instant().minusSeconds(60).toString()));
      awaitScheduled(probe, 1, Duration.ofSeconds(10));
    }
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
