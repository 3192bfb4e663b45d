package io.fleetjobs.server.jobs.dispatch;

import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.bus.TargetWork;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.fleetjobs.server.targets.ResolvedTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * All SQL of the engine's claims: expansions, target work, results, leases and housekeeping. Each call
 * is one jobs_internal routine, so one transaction, and results are fenced by their claim number.
 */
public final class ClaimRepository {
  private static final RowMapper<TargetWork> WORK = row -> new TargetWork(
    row.getUUID("target_execution_id"),
    row.getInteger("claim"),
    row.getInteger("current_attempts"),
    row.getUUID("job_execution_id"),
    row.getOffsetDateTime("execution_create_time").toInstant(),
    row.getUUID("job_id"),
    row.getString("job_name"),
    row.getInteger("job_version"),
    row.getInteger("step_id"),
    row.getString("step_name"),
    row.getString("target_group_name"),
    row.getString("engine"),
    row.getString("server_name"),
    row.getString("database_name"),
    row.getBoolean("trust_server_certificate"));
  private static final RowMapper<TargetFinished> FINISHED = row -> new TargetFinished(
    row.getUUID("target_execution_id"),
    row.getUUID("job_execution_id"),
    row.getString("job_name"),
    row.getInteger("step_id"),
    row.getString("step_name"),
    row.getString("server_name"),
    row.getString("database_name"),
    row.getString("lifecycle"),
    row.getInteger("current_attempts"),
    row.getString("last_message"));

  private final SqlTemplate<Map<String, Object>, RowSet<ExpansionClaim>> claimExpansions;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> startStep;
  private final SqlTemplate<Map<String, Object>, RowSet<TargetWork>> claimTargets;
  private final SqlTemplate<Map<String, Object>, RowSet<TargetFinished>> finish;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> renew;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> release;
  private final SqlTemplate<Map<String, Object>, RowSet<TargetFinished>> sweep;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> canceled;
  private final Pool pool;

  public ClaimRepository(Pool pool) {
    this.pool = pool;
    claimExpansions = SqlTemplate.forQuery(pool, """
        SELECT job_execution_id, job_id, job_name, job_version, step_id, expansion_claim
          FROM jobs_internal.claim_expansions(#{owner}, #{max}, #{leaseSeconds})""")
      .mapTo(ExpansionClaim.ROW_MAPPER);
    startStep = SqlTemplate.forQuery(pool,
      "SELECT jobs_internal.start_step(#{id}, #{claim}, #{targets}::jsonb, #{failure}) AS started");
    // The function joins what executors need itself: see the comment on jobs_internal.claim_targets.
    claimTargets = SqlTemplate.forQuery(pool, """
        SELECT target_execution_id, claim, current_attempts, job_execution_id, job_id, step_id, step_name, engine,
               server_name, database_name, execution_create_time, job_version, job_name, target_group_name,
               trust_server_certificate
          FROM jobs_internal.claim_targets(#{owner}, #{max}, #{leaseSeconds})""").mapTo(WORK);
    finish = SqlTemplate.forQuery(pool, """
        SELECT t.target_execution_id, t.job_execution_id, j.job_name, t.step_id, t.step_name, t.server_name,
               t.database_name, t.lifecycle, t.current_attempts, t.last_message
          FROM jobs_internal.finish_target(#{id}, #{claim}, #{outcome}, #{message}, #{retryable}) t
          JOIN jobs_internal.jobs j ON j.job_id = t.job_id""").mapTo(FINISHED);
    // Only rows this agent still holds under the same claim: a lease taken over (even by this agent, after
    // it expired) is not extended for the older attempt.
    renew = SqlTemplate.forQuery(pool, """
        UPDATE jobs_internal.target_executions t
           SET lease_until = now() + make_interval(secs => #{leaseSeconds})
          FROM unnest(#{ids}::uuid[], #{claims}::integer[]) AS held(target_execution_id, claim)
         WHERE t.target_execution_id = held.target_execution_id AND t.claim = held.claim
           AND t.lease_owner = #{owner} AND t.lifecycle = 'InProgress'
        RETURNING t.target_execution_id""");
    release = SqlTemplate.forQuery(pool, "SELECT jobs_internal.release_target(#{id}, #{claim}) AS released");
    sweep = SqlTemplate.forQuery(pool, """
        SELECT t.target_execution_id, t.job_execution_id, j.job_name, t.step_id, t.step_name, t.server_name,
               t.database_name, t.lifecycle, t.current_attempts, t.last_message
          FROM jobs_internal.sweep() t
          JOIN jobs_internal.jobs j ON j.job_id = t.job_id""")
      .mapTo(FINISHED);
    canceled = SqlTemplate.forQuery(pool, """
        SELECT t.target_execution_id
          FROM jobs_internal.target_executions t
          JOIN jobs_internal.job_executions e ON e.job_execution_id = t.job_execution_id
         WHERE e.cancel_requested AND t.lifecycle = 'InProgress' AND t.lease_owner = #{owner}""");
  }

  public Future<List<ExpansionClaim>> claimExpansions(String owner, int max, int leaseSeconds) {
    return claimExpansions.execute(Params.of("owner", owner, "max", max, "leaseSeconds", leaseSeconds))
      .map(Rows::list);
  }

  /** @param failure null to start the step on the targets; else why its group could not be expanded */
  public Future<Boolean> startStep(ExpansionClaim claim, List<ResolvedTarget> targets, String failure) {
    JsonArray json = new JsonArray(targets.stream().map(ResolvedTarget::toSqlJson).toList());
    return startStep.execute(Params.of("id", claim.jobExecutionId(), "claim", claim.claim(), "targets", json,
        "failure", failure))
      .map(rows -> rows.iterator().next().getBoolean("started"));
  }

  /** Claims up to {@code max} ready targets, within the stored tier's free capacity across every agent. */
  public Future<List<TargetWork>> claimTargets(String owner, int max, int leaseSeconds) {
    return claimTargets.execute(Params.of("owner", owner, "max", max, "leaseSeconds", leaseSeconds))
      .map(Rows::list);
  }

  /** @return the recorded result, or empty when this claim was stale (another agent owns the row now) */
  public Future<Optional<TargetFinished>> finish(TargetWork work, String outcome, String message, boolean retryable) {
    return finish.execute(finishParams(work, outcome, message, retryable)).map(ClaimRepository::recorded);
  }

  private static Map<String, Object> finishParams(TargetWork work, String outcome, String message, boolean retryable) {
    return Params.of("id", work.targetExecutionId(), "claim", work.claim(), "outcome", outcome, "message", message,
      "retryable", retryable);
  }

  private static Optional<TargetFinished> recorded(RowSet<TargetFinished> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next());
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
    return release.execute(Params.of("id", work.targetExecutionId(), "claim", work.claim()))
      .map(rows -> rows.iterator().next().getBoolean("released"));
  }

  /** The targets this agent runs whose execution was cancelled. */
  public Future<List<UUID>> canceledInFlight(String owner) {
    return canceled.execute(Params.of("owner", owner))
      .map(rows -> Rows.list(rows).stream().map(row -> row.getUUID("target_execution_id")).toList());
  }

  /** @return {queued, in progress} over every agent */
  public Future<long[]> workCounts() {
    return pool.query("""
        SELECT count(*) FILTER (WHERE lifecycle IN ('Created', 'WaitingForRetry')) AS queued,
               count(*) FILTER (WHERE lifecycle = 'InProgress') AS running
          FROM jobs_internal.target_executions
         WHERE lifecycle IN ('Created', 'WaitingForRetry', 'InProgress')""").execute()
      .map(rows -> {
        Row row = rows.iterator().next();
        return new long[] {row.getLong("queued"), row.getLong("running")};
      });
  }

  /** Ends what the sweep finds ended and settles steps; returns the targets it ended, to publish. */
  public Future<List<TargetFinished>> sweep() {
    return sweep.execute(Map.of()).map(Rows::list);
  }
}
