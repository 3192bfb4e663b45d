package io.fleetjobs.server.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.RoutineDatabase;
import io.fleetjobs.server.testsupport.RoutineDatabase.Claimed;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The claim routines of R__claims.sql called directly on a real PostgreSQL, with the time, the capacity and
 * the owners each test passes: the cap, fencing, leases, retries and the sweep.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClaimRoutinesTest {
  private static final Instant T0 = Instant.parse("2026-11-01T12:00:00Z");
  private RoutineDatabase db;

  @BeforeEach
  void migrate() throws Exception {
    db = RoutineDatabase.migrated("claim_routines");
  }

  @AfterEach
  void close() throws Exception {
    db.close();
  }

  @Test
  void concurrent_claims_from_two_connections_never_exceed_the_capacity() throws Exception {
    UUID execution = db.execution("cap", 1, 60, 0, T0);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Connection a = db.connect(); Connection b = db.connect()) {
      List<Future<Integer>> claimed = new ArrayList<>();
      for (Connection connection : List.of(a, b)) {
        String owner = connection == a ? "agent-a" : "agent-b";
        Callable<Integer> claimAll = () -> {
          int total = 0;
          // Each asks for more than the whole capacity, again and again.
          for (int round = 0; round < 20; round++) {
            total += RoutineDatabase.claim(connection, owner, 10, 25, 30, T0).size();
          }
          return total;
        };
        claimed.add(threads.submit(claimAll));
      }
      int total = claimed.get(0).get() + claimed.get(1).get();
      assertEquals(10, total, "the two agents together claimed the capacity, and no more");
      assertEquals(10, db.count("SELECT count(*) FROM jobs_internal.target_executions WHERE job_execution_id = ?"
        + " AND lifecycle = 'InProgress'", execution));
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void of_two_runs_whose_steps_started_together_only_the_earlier_run_runs_on_a_database() throws Exception {
    UUID first = db.execution("twice", 1, 1, 0, T0);
    UUID second = UUID.randomUUID();
    db.query("SELECT jobs_internal.start_execution('twice', ?, 'Manual', NULL)", second);
    // The first run's step restarted beside the second's, in one transaction: their rows share now().
    db.query("UPDATE jobs_internal.target_executions SET create_time = '2026-11-01 12:00:00+00' WHERE job_execution_id = ?",
      first);
    assertTrue(db.startNextStep(second, 1, T0));
    db.query("UPDATE jobs_internal.target_executions SET create_time = '2026-11-01 12:00:00+00' WHERE job_execution_id = ?",
      second);
    List<Claimed> claimed = db.claim("agent-a", 10, 10, 30, T0);
    assertEquals(1, claimed.size(), "one of the two runs takes the database; the other is skipped");
    assertEquals(List.of(List.of("InProgress"), List.of("Skipped")), db.query("""
        SELECT t.lifecycle FROM jobs_internal.target_executions t
          JOIN jobs_internal.job_executions e USING (job_execution_id)
         WHERE e.job_execution_id IN (?, ?) ORDER BY e.create_time""", first, second),
      "the run started first runs");
  }

  @Test
  void a_later_run_already_running_on_a_database_keeps_an_earlier_run_off_it() throws Exception {
    UUID first = UUID.randomUUID();
    UUID later = db.execution("late", 1, 1, 0, T0);
    db.query("SELECT jobs_internal.start_execution('late', ?, 'Manual', NULL)", first);
    // The first run's listing finished after the later run's target had started.
    db.query("UPDATE jobs_internal.job_executions SET create_time = create_time - interval '1 minute'"
      + " WHERE job_execution_id = ?", first);
    assertEquals(1, db.claim("agent-a", 10, 10, 30, T0).size(), "the later run's target starts");
    assertTrue(db.startNextStep(first, 1, T0));
    assertEquals(0, db.claim("agent-a", 10, 10, 30, T0).size(), "the earlier run's target does not start beside it");
    assertEquals("Skipped", db.value("SELECT lifecycle FROM jobs_internal.target_executions WHERE job_execution_id = ?",
      first));
    assertEquals("InProgress", db.value("SELECT lifecycle FROM jobs_internal.target_executions"
      + " WHERE job_execution_id = ?", later));
  }

  @Test
  void a_claim_takes_only_what_the_capacity_leaves_free() throws Exception {
    db.execution("free", 1, 8, 0, T0);
    int runningElsewhere = (int) db.count(
      "SELECT count(*) FROM jobs_internal.target_executions WHERE lifecycle = 'InProgress' AND lease_until >= now()");
    List<Claimed> first = db.claim("agent-a", runningElsewhere + 5, 100, 30, T0);
    assertEquals(5, first.size());
    assertEquals(0, db.claim("agent-b", runningElsewhere + 5, 100, 30, T0).size(), "the capacity is in use");
    assertEquals(3, db.claim("agent-b", runningElsewhere + 8, 100, 30, T0).size(), "a larger tier frees 3 more");
  }

  @Test
  void targets_are_not_ready_before_their_time() throws Exception {
    Instant later = T0.plusSeconds(3600);
    UUID execution = db.execution("not-yet", 1, 2, 0, later);
    List<Claimed> early = db.claim("agent-a", 1000, 100, 30, later.minusSeconds(1));
    assertTrue(early.stream().noneMatch(claimed -> belongsTo(claimed, execution)), "nothing of it is ready yet");
    List<Claimed> onTime = db.claim("agent-a", 1000, 100, 30, later);
    assertEquals(2, onTime.stream().filter(claimed -> belongsTo(claimed, execution)).count());
  }

  @Test
  void a_result_with_a_stale_claim_number_is_refused() throws Exception {
    UUID execution = db.execution("fencing", 1, 1, 3, T0);
    Claimed first = only(db.claim("agent-a", 1000, 100, 30, T0), execution);
    db.expireLeases(execution);
    Claimed second = only(db.claim("agent-b", 1000, 100, 30, T0), execution);
    assertEquals(first.targetExecutionId(), second.targetExecutionId());
    assertTrue(second.claim() > first.claim(), "a reclaim takes a new fencing number");

    assertNull(db.finish(first, "Succeeded", null), "the agent that lost the lease records nothing");
    assertEquals("InProgress", lifecycle(first));
    assertEquals("Succeeded", db.finish(second, "Succeeded", null));
    assertNull(db.finish(second, "Failed", null), "a result is recorded once");
    assertEquals("Succeeded", lifecycle(first));
  }

  @Test
  void an_expired_lease_is_reclaimed_by_another_agent() throws Exception {
    UUID execution = db.execution("lease", 1, 1, 3, T0);
    Claimed first = only(db.claim("agent-a", 1000, 100, 30, T0), execution);
    assertTrue(db.claim("agent-b", 1000, 100, 30, T0).stream().noneMatch(c -> belongsTo(c, execution)),
      "a live lease is not taken over");
    db.expireLeases(execution);
    Claimed second = only(db.claim("agent-b", 1000, 100, 30, T0), execution);
    assertEquals(first.attempt(), second.attempt(), "the same attempt, run again");
    assertEquals("agent-b", db.value("SELECT lease_owner FROM jobs_internal.target_executions"
      + " WHERE target_execution_id = ?", second.targetExecutionId()));
  }

  @Test
  void a_retryable_failure_waits_until_the_retry_time_it_was_given() throws Exception {
    UUID execution = db.execution("retry", 1, 1, 2, T0);
    Claimed first = only(db.claim("agent-a", 1000, 100, 30, T0), execution);
    Instant retryAt = T0.plusSeconds(60);
    assertEquals("WaitingForRetry", db.finish(first, "Failed", retryAt));
    assertEquals(RoutineDatabase.at(retryAt), db.value("SELECT next_attempt_start_time FROM"
      + " jobs_internal.target_executions WHERE target_execution_id = ?", first.targetExecutionId()));
    assertTrue(db.claim("agent-a", 1000, 100, 30, retryAt.minusSeconds(1)).stream()
      .noneMatch(c -> belongsTo(c, execution)), "not before its retry time");
    Claimed second = only(db.claim("agent-a", 1000, 100, 30, retryAt), execution);
    assertEquals(2, second.attempt());
  }

  @Test
  void a_failure_is_final_without_a_retry_time_or_without_attempts_left() throws Exception {
    UUID notRetryable = db.execution("final-a", 1, 1, 5, T0);
    assertEquals("Failed", db.finish(only(db.claim("agent-a", 1000, 100, 30, T0), notRetryable), "Failed", null));

    UUID lastAttempt = db.execution("final-b", 1, 1, 0, T0);
    assertEquals("Failed", db.finish(only(db.claim("agent-a", 1000, 100, 30, T0), lastAttempt), "Failed",
      T0.plusSeconds(1)), "retryAttempts 0: the first attempt is the last");
    assertEquals(2, db.count("SELECT count(*) FROM jobs_internal.metric_counts"
      + " WHERE metric_name = 'elastic_jobs_failed' AND job_name IN ('final-a', 'final-b')"));
  }

  @Test
  void a_released_attempt_is_ready_again_without_spending_an_attempt() throws Exception {
    UUID execution = db.execution("release", 1, 1, 0, T0);
    Claimed claimed = only(db.claim("agent-a", 1000, 100, 30, T0), execution);
    Instant later = T0.plusSeconds(5);
    assertEquals(true, db.value("SELECT jobs_internal.release_target(?, ?, ?)", claimed.targetExecutionId(),
      claimed.claim(), RoutineDatabase.at(later)));
    assertEquals(false, db.value("SELECT jobs_internal.release_target(?, ?, ?)", claimed.targetExecutionId(),
      claimed.claim(), RoutineDatabase.at(later)), "fenced like a result");
    Claimed again = only(db.claim("agent-b", 1000, 100, 30, later), execution);
    assertEquals(1, again.attempt(), "the stop spent no attempt");
  }

  @Test
  void a_lost_lease_runs_the_same_attempt_again_without_spending_one() throws Exception {
    UUID execution = db.execution("lease-loss", 1, 1, 0, T0);
    Claimed first = only(db.claim("agent-a", 1000, 100, 30, T0), execution);
    db.expireLeases(execution);
    Claimed again = only(db.claim("agent-b", 1000, 100, 30, T0), execution);
    assertEquals(1, again.attempt(), "retryAttempts 0, and the target still runs again after its agent died");
    assertTrue(again.claim() > first.claim());
    assertEquals("Succeeded", db.finish(again, "Succeeded", null));
    assertEquals(1, db.count("SELECT lease_losses FROM jobs_internal.target_executions WHERE job_execution_id = ?",
      execution));
  }

  @Test
  void every_attempt_is_kept_with_its_agent_and_outcome() throws Exception {
    UUID execution = db.execution("history", 1, 1, 2, T0);
    Claimed first = only(db.claim("agent-a", 1000, 100, 30, T0), execution);
    db.query("SELECT * FROM jobs_internal.finish_target(?, ?, 'Failed', 'boom', ?, '40P01', ?)",
      first.targetExecutionId(), first.claim(), RoutineDatabase.at(T0), RoutineDatabase.at(T0));
    assertEquals("40P01", db.value("SELECT last_error_code FROM jobs_internal.target_executions"
      + " WHERE target_execution_id = ?", first.targetExecutionId()), "the failure's code is on the row");
    Claimed second = only(db.claim("agent-b", 1000, 100, 30, T0), execution);
    db.expireLeases(execution);
    Claimed third = only(db.claim("agent-c", 1000, 100, 30, T0), execution);
    assertEquals("Succeeded", db.finish(third, "Succeeded", null));
    assertTrue(second.claim() < third.claim());
    assertEquals(List.of(
        List.of(1, "agent-a", "WaitingForRetry", "40P01"),
        List.of(2, "agent-b", "LeaseLost", "-"),
        List.of(2, "agent-c", "Succeeded", "-")),
      db.query("SELECT attempt, agent, outcome, coalesce(error_code, '-') FROM jobs_internal.target_attempts"
        + " WHERE target_execution_id = ? ORDER BY claim", first.targetExecutionId()));
  }

  @Test
  void a_target_whose_agent_dies_three_times_ends_failed_and_says_why() throws Exception {
    UUID execution = db.execution("agent-killer", 1, 1, 5, T0);
    for (int loss = 1; loss < 3; loss++) {
      only(db.claim("agent-" + loss, 1000, 100, 30, T0), execution);
      db.expireLeases(execution);
      assertEquals(List.of(), db.query("SELECT target_execution_id FROM jobs_internal.sweep(now())"),
        "after " + loss + " lost leases the target runs again");
    }
    only(db.claim("agent-3", 1000, 100, 30, T0), execution);
    db.expireLeases(execution);
    assertTrue(db.claim("agent-4", 1000, 100, 30, T0).stream().noneMatch(c -> belongsTo(c, execution)),
      "not a fourth time");
    List<List<Object>> ended = db.query("SELECT lifecycle, last_message, current_attempts FROM jobs_internal.sweep(now())"
      + " WHERE job_execution_id = ?", execution);
    assertEquals(1, ended.size());
    assertEquals("Failed", ended.get(0).get(0));
    assertTrue(((String) ended.get(0).get(1)).contains("stopped before it finished, 3 times"), ended.toString());
    assertEquals(1, ended.get(0).get(2), "the lost leases spent no attempt");
    assertEquals("Failed", db.value("SELECT lifecycle FROM jobs_internal.job_executions WHERE job_execution_id = ?",
      execution), "and the sweep settled the step and the execution");
    assertEquals(1, db.count("SELECT count(*) FROM jobs_internal.metric_counts WHERE job_name = 'agent-killer'"
      + " AND metric_name = 'elastic_jobs_failed'"));
  }

  @Test
  void the_sweep_ends_the_running_targets_of_a_cancelled_run_whose_agent_died() throws Exception {
    UUID execution = db.execution("cancel-dead", 1, 1, 5, T0);
    only(db.claim("agent-a", 1000, 100, 30, T0), execution);
    db.query("SELECT jobs_internal.cancel_execution('cancel-dead', ?)", execution);
    assertEquals(List.of(), db.query("SELECT target_execution_id FROM jobs_internal.sweep(now())"),
      "a live lease is left to its agent, which cancels the statement");
    db.expireLeases(execution);
    assertEquals("Canceled", db.value("SELECT lifecycle FROM jobs_internal.sweep(now()) WHERE job_execution_id = ?",
      execution));
    assertEquals("Canceled", db.value("SELECT lifecycle FROM jobs_internal.job_executions WHERE job_execution_id = ?",
      execution));
  }

  private boolean belongsTo(Claimed claimed, UUID execution) {
    try {
      return execution.equals(db.value("SELECT job_execution_id FROM jobs_internal.target_executions"
        + " WHERE target_execution_id = ?", claimed.targetExecutionId()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Claimed only(List<Claimed> claimed, UUID execution) {
    List<Claimed> mine = claimed.stream().filter(c -> belongsTo(c, execution)).toList();
    assertEquals(1, mine.size(), "claimed " + claimed);
    return mine.get(0);
  }

  private String lifecycle(Claimed claimed) throws Exception {
    return (String) db.value("SELECT lifecycle FROM jobs_internal.target_executions WHERE target_execution_id = ?",
      claimed.targetExecutionId());
  }
}
