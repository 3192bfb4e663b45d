package io.fleetjobs.server.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetjobs.server.testsupport.RoutineDatabase;
import io.fleetjobs.server.testsupport.RoutineDatabase.Claimed;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * jobs_internal.finish_targets called directly on a real PostgreSQL: several results in one call, each fenced
 * by its claim and each ending as finish_target ends one, and each step of the batch settled.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ResultRoutinesTest {
  private static final Instant T0 = Instant.parse("2026-11-01T12:00:00Z");
  private RoutineDatabase db;

  /** One attempt's result, as the agent hands it over. */
  private record Result(Claimed claimed, String outcome, Instant retryAt, String errorCode, String dryRunResult) {
    static Result of(Claimed claimed, String outcome, Instant retryAt) {
      return new Result(claimed, outcome, retryAt, null, null);
    }
  }

  @BeforeEach
  void migrate() throws Exception {
    db = RoutineDatabase.migrated("result_routines");
  }

  @AfterEach
  void close() throws Exception {
    db.close();
  }

  @Test
  void one_call_records_each_result_as_its_outcome_and_attempts_left_decide() throws Exception {
    UUID execution = db.execution("batch", 1, 4, 2, T0);
    List<Claimed> claimed = db.claim("agent-a", 1000, 100, 30, T0);
    assertEquals(4, claimed.size());
    Instant retryAt = T0.plusSeconds(60);

    Map<UUID, String> recorded = finishAll(
      new Result(claimed.get(0), "Succeeded", null, null, "{\"statements\": 1}"),
      new Result(claimed.get(1), "Failed", retryAt, "40P01", null),
      new Result(claimed.get(2), "Failed", null, "42P01", null));

    assertEquals(Map.of(
        claimed.get(0).targetExecutionId(), "Succeeded",
        claimed.get(1).targetExecutionId(), "WaitingForRetry",
        claimed.get(2).targetExecutionId(), "Failed"), recorded);
    assertEquals(RoutineDatabase.at(retryAt), value("next_attempt_start_time", claimed.get(1)));
    assertEquals("42P01", value("last_error_code", claimed.get(2)));
    assertEquals("{\"statements\": 1}", String.valueOf(value("dry_run_result", claimed.get(0))));
    assertNull(value("dry_run_result", claimed.get(1)), "a real run's result has none");
    assertEquals(List.of(
        List.of(claimed.get(0).targetExecutionId().toString(), "Succeeded", "-"),
        List.of(claimed.get(1).targetExecutionId().toString(), "WaitingForRetry", "40P01"),
        List.of(claimed.get(2).targetExecutionId().toString(), "Failed", "42P01")).stream()
        .sorted((a, b) -> a.get(0).compareTo(b.get(0))).toList(),
      db.query("SELECT target_execution_id::text, outcome, coalesce(error_code, '-') FROM jobs_internal.target_attempts"
        + " WHERE target_execution_id IN (?, ?, ?) ORDER BY 1", claimed.get(0).targetExecutionId(),
        claimed.get(1).targetExecutionId(), claimed.get(2).targetExecutionId()), "one attempt kept for each");
    assertEquals(List.of(List.of("elastic_jobs_failed", 1L), List.of("elastic_jobs_successful", 1L)),
      db.query("SELECT metric_name, sum(count)::bigint FROM jobs_internal.metric_counts WHERE job_name = 'batch'"
        + " GROUP BY metric_name ORDER BY 1"), "the final results are counted, the one waiting to retry is not");
    assertEquals("InProgress", db.value("SELECT lifecycle FROM jobs_internal.step_executions"
      + " WHERE job_execution_id = ?", execution), "two targets are still active: the step is not settled");
  }

  @Test
  void a_stale_claim_in_a_batch_changes_nothing_and_returns_no_row() throws Exception {
    UUID execution = db.execution("stale", 1, 2, 0, T0);
    List<Claimed> first = db.claim("agent-a", 1000, 100, 30, T0);
    Claimed lost = first.get(0);
    db.query("UPDATE jobs_internal.target_executions SET lease_until = now() - interval '1 second'"
      + " WHERE target_execution_id = ?", lost.targetExecutionId());
    Claimed taken = db.claim("agent-b", 1000, 100, 30, T0).get(0);
    assertEquals(lost.targetExecutionId(), taken.targetExecutionId());

    Map<UUID, String> recorded = finishAll(Result.of(lost, "Failed", null), Result.of(first.get(1), "Succeeded", null));

    assertEquals(Map.of(first.get(1).targetExecutionId(), "Succeeded"), recorded, "only the current claim is recorded");
    assertEquals("InProgress", value("lifecycle", lost));
    assertEquals("agent-b", value("lease_owner", lost));
    assertEquals(List.of(List.of("LeaseLost")), db.query("SELECT outcome FROM jobs_internal.target_attempts"
      + " WHERE target_execution_id = ?", lost.targetExecutionId()), "the stale attempt keeps only its lost lease");
    assertEquals(0, db.count("SELECT count(*) FROM jobs_internal.metric_counts WHERE job_name = 'stale'"
      + " AND metric_name = 'elastic_jobs_failed'"));
    assertEquals("InProgress", db.value("SELECT lifecycle FROM jobs_internal.job_executions WHERE job_execution_id = ?",
      execution));
  }

  @Test
  void a_cancelled_run_retries_nothing_and_its_failures_end_canceled() throws Exception {
    UUID execution = db.execution("cancelled", 1, 3, 5, T0);
    List<Claimed> claimed = db.claim("agent-a", 1000, 100, 30, T0);
    db.query("SELECT jobs_internal.cancel_execution('cancelled', ?)", execution);

    Map<UUID, String> recorded = finishAll(
      Result.of(claimed.get(0), "Failed", T0.plusSeconds(60)),
      Result.of(claimed.get(1), "Succeeded", null),
      Result.of(claimed.get(2), "TimedOut", null));

    assertEquals(Map.of(
        claimed.get(0).targetExecutionId(), "Canceled",
        claimed.get(1).targetExecutionId(), "Succeeded",
        claimed.get(2).targetExecutionId(), "TimedOut"), recorded, "what succeeded or timed out stays so");
    assertEquals("Canceled", db.value("SELECT lifecycle FROM jobs_internal.job_executions WHERE job_execution_id = ?",
      execution), "its last results settled the run");
  }

  @Test
  void each_step_of_a_batch_settles_once_its_targets_have_ended() throws Exception {
    UUID twoSteps = db.execution("two-steps", 2, 2, 0, T0);
    UUID oneStep = db.execution("one-step", 1, 1, 0, T0);
    List<Claimed> claimed = db.claim("agent-a", 1000, 100, 30, T0);
    assertEquals(3, claimed.size());

    List<Result> results = new ArrayList<>();
    claimed.forEach(claim -> results.add(Result.of(claim, "Succeeded", null)));
    assertEquals(3, finishAll(results.toArray(Result[]::new)).size());

    assertEquals(List.of(List.of("Succeeded", 2)), db.query("SELECT s.lifecycle, e.next_step_id"
      + " FROM jobs_internal.step_executions s JOIN jobs_internal.job_executions e USING (job_execution_id)"
      + " WHERE s.job_execution_id = ?", twoSteps), "step 1 settled, and step 2 is next");
    assertEquals("Succeeded", db.value("SELECT lifecycle FROM jobs_internal.job_executions WHERE job_execution_id = ?",
      oneStep), "the one-step run settled in the same call");
    assertEquals(3L, db.count("SELECT sum(count) FROM jobs_internal.metric_counts WHERE job_name IN"
      + " ('two-steps', 'one-step') AND metric_name = 'elastic_jobs_successful'"));
  }

  @Test
  void finish_target_records_one_result_as_a_batch_of_one() throws Exception {
    UUID execution = db.execution("single", 1, 1, 0, T0);
    Claimed claimed = db.claim("agent-a", 1000, 100, 30, T0).get(0);
    assertEquals("Succeeded", db.finish(claimed, "Succeeded", null));
    assertNull(db.finish(claimed, "Succeeded", null), "a result is recorded once");
    assertEquals("Succeeded", db.value("SELECT lifecycle FROM jobs_internal.job_executions WHERE job_execution_id = ?",
      execution));
  }

  /** @return the lifecycle of each recorded row, by target */
  private Map<UUID, String> finishAll(Result... results) throws Exception {
    Connection on = db.connection();
    List<List<Object>> rows = db.query("""
        SELECT target_execution_id, lifecycle
          FROM jobs_internal.finish_targets(?::uuid[], ?::integer[], ?::text[], ?::text[], ?::timestamptz[],
                                            ?::text[], ?::text[]::jsonb[], ?)""",
      on.createArrayOf("uuid", map(results, r -> r.claimed().targetExecutionId())),
      on.createArrayOf("integer", map(results, r -> r.claimed().claim())),
      on.createArrayOf("text", map(results, Result::outcome)),
      on.createArrayOf("text", map(results, r -> "test message " + r.outcome())),
      on.createArrayOf("timestamptz", map(results, r -> RoutineDatabase.at(r.retryAt()))),
      on.createArrayOf("text", map(results, Result::errorCode)),
      on.createArrayOf("text", map(results, Result::dryRunResult)),
      Timestamp.from(T0));
    Map<UUID, String> recorded = new TreeMap<>();
    rows.forEach(row -> recorded.put((UUID) row.get(0), (String) row.get(1)));
    assertEquals(rows.size(), recorded.size(), "one row per target");
    return recorded;
  }

  private static Object[] map(Result[] results, Function<Result, Object> column) {
    return Arrays.stream(results).map(column).toArray();
  }

  private Object value(String column, Claimed claimed) throws Exception {
    return db.value("SELECT " + column + " FROM jobs_internal.target_executions WHERE target_execution_id = ?",
      claimed.targetExecutionId());
  }
}
