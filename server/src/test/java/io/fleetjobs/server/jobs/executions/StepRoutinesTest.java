package io.fleetjobs.server.jobs.executions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.RoutineDatabase;
import io.fleetjobs.server.testsupport.RoutineDatabase.Claimed;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** start_step and settle_step of R__executions.sql, called directly on a real PostgreSQL. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StepRoutinesTest {
  private static final Instant T0 = Instant.parse("2026-11-01T12:00:00Z");
  private RoutineDatabase db;

  @BeforeEach
  void migrate() throws Exception {
    db = RoutineDatabase.migrated("step_routines");
  }

  @AfterEach
  void close() throws Exception {
    db.close();
  }

  @Test
  void start_step_creates_one_ready_target_per_database() throws Exception {
    UUID execution = db.execution("start", 1, 3, 2, T0);
    List<List<Object>> targets = db.query("""
        SELECT lifecycle, next_attempt_start_time, max_attempts FROM jobs_internal.target_executions
         WHERE job_execution_id = ? ORDER BY database_name""", execution);
    assertEquals(3, targets.size());
    targets.forEach(row -> {
      assertEquals("Created", row.get(0));
      assertEquals(RoutineDatabase.at(T0), row.get(1), "ready from the agent's clock");
      assertEquals(3, row.get(2), "retryAttempts 2: three attempts in all");
    });
    assertEquals("InProgress", stepLifecycle(execution, 1));
  }

  @Test
  void start_step_with_a_stale_expansion_claim_does_nothing() throws Exception {
    UUID execution = db.execution("stale-expansion", 2, 1, 0, T0);
    finishAll(execution, "Succeeded");
    List<List<Object>> claimed = db.query("SELECT expansion_claim FROM jobs_internal.claim_expansions('a', 10, 30)"
      + " WHERE job_execution_id = ?", execution);
    int stale = (Integer) claimed.get(0).get(0);
    db.query("UPDATE jobs_internal.job_executions SET expansion_until = now() - interval '1 second'"
      + " WHERE job_execution_id = ?", execution);
    db.query("SELECT expansion_claim FROM jobs_internal.claim_expansions('b', 10, 30)");
    assertEquals(false, db.value("SELECT jobs_internal.start_step(?, ?, ?::jsonb, NULL, ?)", execution, stale,
      RoutineDatabase.targetsJson(1), RoutineDatabase.at(T0)), "agent b took the expansion over");
    assertEquals(0, db.count("SELECT count(*) FROM jobs_internal.step_executions WHERE job_execution_id = ?"
      + " AND step_id = 2", execution));
  }

  @Test
  void start_step_with_a_failure_fails_the_step_and_ends_the_execution() throws Exception {
    UUID execution = db.execution("unreachable", 2, 1, 0, T0);
    finishAll(execution, "Succeeded");
    int claim = (Integer) db.value("SELECT expansion_claim FROM jobs_internal.claim_expansions('a', 10, 30)"
      + " WHERE job_execution_id = ?", execution);
    assertEquals(true, db.value("SELECT jobs_internal.start_step(?, ?, '[]'::jsonb, ?, ?)", execution, claim,
      "Could not list the databases of server 'dead:1': Connection refused", RoutineDatabase.at(T0)));
    assertEquals("Failed", stepLifecycle(execution, 2));
    List<Object> parent = db.query("SELECT lifecycle, last_message FROM jobs_internal.job_executions"
      + " WHERE job_execution_id = ?", execution).get(0);
    assertEquals("Failed", parent.get(0));
    assertTrue(((String) parent.get(1)).contains("Connection refused"), parent.toString());
  }

  @Test
  void the_last_target_settles_the_step_and_starts_the_next_one() throws Exception {
    UUID execution = db.execution("two-steps", 2, 2, 0, T0);
    List<Claimed> claimed = db.claim("a", 1000, 100, 30, T0);
    db.finish(claimed.get(0), "Succeeded", null);
    assertEquals("InProgress", stepLifecycle(execution, 1), "one target still runs");
    assertNull(nextStep(execution));
    db.finish(claimed.get(1), "Succeeded", null);
    assertEquals("Succeeded", stepLifecycle(execution, 1));
    assertEquals(2, nextStep(execution), "step 2 waits for its expansion");
  }

  @Test
  void settling_a_step_twice_changes_nothing_the_second_time() throws Exception {
    UUID execution = db.execution("settle-once", 2, 1, 0, T0);
    finishAll(execution, "Succeeded");
    List<Object> settled = db.query("SELECT lifecycle, end_time, last_message FROM jobs_internal.step_executions"
      + " WHERE job_execution_id = ? AND step_id = 1", execution).get(0);
    assertTrue(db.startNextStep(execution, 1, T0), "step 2 started");

    db.query("SELECT jobs_internal.settle_step(?, 1)", execution);
    db.query("SELECT jobs_internal.settle_step(?, 1)", execution);

    assertEquals(settled, db.query("SELECT lifecycle, end_time, last_message FROM jobs_internal.step_executions"
      + " WHERE job_execution_id = ? AND step_id = 1", execution).get(0));
    assertNull(nextStep(execution), "step 2 is not queued a second time");
    assertEquals(1, db.count("SELECT count(*) FROM jobs_internal.step_executions WHERE job_execution_id = ?"
      + " AND step_id = 2", execution));
  }

  @Test
  void a_failed_step_ends_the_execution_and_skips_the_later_steps() throws Exception {
    UUID execution = db.execution("stop-on-failure", 3, 2, 0, T0);
    List<Claimed> claimed = db.claim("a", 1000, 100, 30, T0);
    db.finish(claimed.get(0), "Succeeded", null);
    db.finish(claimed.get(1), "Failed", null);
    assertEquals("Failed", stepLifecycle(execution, 1));
    List<Object> parent = db.query("SELECT lifecycle, next_step_id, end_time FROM jobs_internal.job_executions"
      + " WHERE job_execution_id = ?", execution).get(0);
    assertEquals("Failed", parent.get(0));
    assertNull(parent.get(1));
    assertFalse(parent.get(2) == null, "the execution ended");
  }

  private void finishAll(UUID execution, String outcome) throws Exception {
    for (Claimed claimed : db.claim("a", 1000, 100, 30, T0)) {
      db.finish(claimed, outcome, null);
    }
    assertEquals(0, db.count("SELECT count(*) FROM jobs_internal.target_executions WHERE job_execution_id = ?"
      + " AND lifecycle IN ('Created', 'InProgress')", execution));
  }

  private String stepLifecycle(UUID execution, int step) throws Exception {
    return (String) db.value("SELECT lifecycle FROM jobs_internal.step_executions WHERE job_execution_id = ?"
      + " AND step_id = ?", execution, step);
  }

  private Integer nextStep(UUID execution) throws Exception {
    return (Integer) db.value("SELECT next_step_id FROM jobs_internal.job_executions WHERE job_execution_id = ?",
      execution);
  }
}
