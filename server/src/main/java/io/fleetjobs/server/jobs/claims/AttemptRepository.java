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
import java.time.OffsetDateTime;
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
    // One element of each array per result, in the same order.
    finish = SqlTemplate.forQuery(pool, """
        SELECT t.target_execution_id, t.job_execution_id, j.job_name, t.step_id, t.step_name, t.server_name,
               t.database_name, t.lifecycle, t.current_attempts, t.last_message
          FROM jobs_internal.finish_targets(#{ids}::uuid[], #{claims}::integer[], #{outcomes}::text[],
                                            #{messages}::text[], #{retryAts}::timestamptz[], #{errorCodes}::text[],
                                            #{dryRunResults}::jsonb[], #{now}) t
          JOIN jobs_internal.jobs j ON j.job_id = t.job_id""").mapTo(ClaimRows.FINISHED);
    // Only rows this agent still holds under the same claim: a lease taken over (even by this agent, after
    // it expired) is not extended for the older attempt. Leases are on the job database's clock. The rows are
    // locked in finish_targets' order: a renewal and a batch of results on the same rows never deadlock.
    renew = SqlTemplate.forQuery(pool, """
        UPDATE jobs_internal.target_executions t
           SET lease_until = now() + make_interval(secs => #{leaseSeconds})
         WHERE t.target_execution_id IN (
                 SELECT c.target_execution_id
                   FROM jobs_internal.target_executions c
                   JOIN unnest(#{ids}::uuid[], #{claims}::integer[]) AS held(target_execution_id, claim)
                     ON c.target_execution_id = held.target_execution_id AND c.claim = held.claim
                  WHERE c.lease_owner = #{owner} AND c.lifecycle = 'InProgress'
                  ORDER BY c.target_execution_id
                    FOR UPDATE OF c)
        RETURNING t.target_execution_id""");
    release = SqlTemplate.forQuery(pool, "SELECT jobs_internal.release_target(#{id}, #{claim}, #{now}) AS released");
  }

  /** The agent's clock: the retry policy counts from it, and release_target makes the target ready by it. */
  public Instant now() {
    return clock.instant();
  }

  /**
   * Records one result, a member's listing included; an executor records its results through a
   * {@link ResultBatcher} instead.
   *
   * @return the recorded result, or empty when this claim was stale (another agent owns the row now)
   */
  public Future<Optional<TargetFinished>> finish(AttemptResult result) {
    return finishAll(List.of(result))
      .map(rows -> rows.stream().findFirst());
  }

  /**
   * Records several results in one call and one transaction, each fenced by its claim.
   *
   * @return the recorded results, in no particular order; a stale claim has none
   */
  public Future<List<TargetFinished>> finishAll(List<AttemptResult> results) {
    return finish.execute(Params.of(
        "ids", results.stream().map(AttemptResult::targetExecutionId).toArray(UUID[]::new),
        "claims", results.stream().map(AttemptResult::claim).toArray(Integer[]::new),
        "outcomes", results.stream().map(AttemptResult::outcome).toArray(String[]::new),
        "messages", results.stream().map(AttemptResult::message).toArray(String[]::new),
        "retryAts", results.stream().map(result -> Params.utc(result.retryAt())).toArray(OffsetDateTime[]::new),
        "errorCodes", results.stream().map(AttemptResult::errorCode).toArray(String[]::new),
        "dryRunResults", results.stream().map(AttemptResult::dryRunResult).toArray(JsonObject[]::new),
        "now", Params.utc(now())))
      .map(Rows::list);
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
