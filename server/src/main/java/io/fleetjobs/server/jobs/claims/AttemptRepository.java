package io.fleetjobs.server.jobs.claims;

import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.bus.TargetWork;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The executors' SQL on the attempts they hold: renewing leases, recording a result, handing an attempt back.
 * Every write is fenced by the attempt's claim number, so an agent that lost a lease changes nothing.
 */
public final class AttemptRepository {
  private final SqlTemplate<Map<String, Object>, RowSet<TargetFinished>> finish;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> renew;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> release;
  private final Clock clock;
  private final LongAdder released = new LongAdder();

  public AttemptRepository(Pool pool, Clock clock) {
    this.clock = clock;
    finish = SqlTemplate.forQuery(pool, """
        SELECT t.target_execution_id, t.job_execution_id, j.job_name, t.step_id, t.step_name, t.server_name,
               t.database_name, t.lifecycle, t.current_attempts, t.last_message
          FROM jobs_internal.finish_target(#{id}, #{claim}, #{outcome}, #{message}, #{retryAt}, #{errorCode}, #{now},
                                             #{dryRunResult}::jsonb) t
          JOIN jobs_internal.jobs j ON j.job_id = t.job_id""").mapTo(ClaimRows.FINISHED);
    // Only rows this agent still holds under the same claim: a lease taken over (even by this agent, after
    // it expired) is not extended for the older attempt. Leases are on the job database's clock.
    renew = SqlTemplate.forQuery(pool, """
        UPDATE jobs_internal.target_executions t
           SET lease_until = now() + make_interval(secs => #{leaseSeconds})
          FROM unnest(#{ids}::uuid[], #{claims}::integer[]) AS held(target_execution_id, claim)
         WHERE t.target_execution_id = held.target_execution_id AND t.claim = held.claim
           AND t.lease_owner = #{owner} AND t.lifecycle = 'InProgress'
        RETURNING t.target_execution_id""");
    release = SqlTemplate.forQuery(pool, "SELECT jobs_internal.release_target(#{id}, #{claim}, #{now}) AS released");
  }

  /** The agent's clock: the retry policy counts from it, and release_target makes the target ready by it. */
  public Instant now() {
    return clock.instant();
  }

  /**
   * @param retryAt when to run the target again if it failed and attempts are left; null when the failure
   *                cannot succeed on a retry
   * @return the recorded result, or empty when this claim was stale (another agent owns the row now)
   */
  /** @param dryRunResult what a dry run saw on the target (null for a real run) */
  public Future<Optional<TargetFinished>> finish(TargetWork work, String outcome, String message, Instant retryAt,
                                                 String errorCode, JsonObject dryRunResult) {
    return finish(work.targetExecutionId(), work.claim(), outcome, message, retryAt, errorCode, dryRunResult);
  }

  /**
   * The same for any claimed row, a member's listing included.
   *
   * @param errorCode the failure's SQLSTATE or error number (null when none), for grouping failures by cause
   */
  public Future<Optional<TargetFinished>> finish(UUID targetExecutionId, int claim, String outcome, String message,
                                                 Instant retryAt, String errorCode) {
    return finish(targetExecutionId, claim, outcome, message, retryAt, errorCode, null);
  }

  private Future<Optional<TargetFinished>> finish(UUID targetExecutionId, int claim, String outcome, String message,
                                                  Instant retryAt, String errorCode, JsonObject dryRunResult) {
    return finish.execute(Params.of("id", targetExecutionId, "claim", claim, "outcome", outcome,
        "message", message, "retryAt", Params.utc(retryAt), "errorCode", errorCode, "now", Params.utc(now()),
        "dryRunResult", dryRunResult))
      .map(rows -> rows.size() == 0 ? Optional.<TargetFinished>empty() : Optional.of(rows.iterator().next()));
  }

  /** @return the ids whose lease this agent still holds under the attempt's claim; it lost the others */
  public Future<Set<UUID>> renew(String owner, List<TargetWork> attempts, int leaseSeconds) {
    return renew.execute(Params.of("owner", owner,
        "ids", attempts.stream().map(TargetWork::targetExecutionId).toArray(UUID[]::new),
        "claims", attempts.stream().map(TargetWork::claim).toArray(Integer[]::new),
        "leaseSeconds", leaseSeconds))
      .map(rows -> Rows.list(rows).stream().map(row -> row.getUUID("target_execution_id")).collect(Collectors.toSet()));
  }

  /** Hands a claimed attempt back unspent (the agent is stopping); fenced by the claim like a result. */
  public Future<Boolean> release(TargetWork work) {
    return release.execute(Params.of("id", work.targetExecutionId(), "claim", work.claim(), "now", Params.utc(now())))
      .map(rows -> rows.iterator().next().getBoolean("released"))
      .onSuccess(handedBack -> {
        if (handedBack) {
          released.increment();
        }
      });
  }

  /** How many attempts {@link #release} has handed back so far: what a stopping agent reports. */
  public long releasedSoFar() {
    return released.sum();
  }
}
