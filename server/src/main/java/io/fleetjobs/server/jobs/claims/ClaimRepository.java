package io.fleetjobs.server.jobs.claims;

import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.bus.TargetWork;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The dispatcher's SQL: claiming steps to expand and target work to run, starting steps, and the sweep.
 * Each call is one jobs_internal routine (R__claims.sql, R__executions.sql), so one transaction. Readiness is
 * decided on this agent's clock, passed as p_now; leases stay on the job database's clock.
 */
public final class ClaimRepository {
  private final SqlTemplate<Map<String, Object>, RowSet<ExpansionClaim>> claimExpansions;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> startStep;
  private final SqlTemplate<Map<String, Object>, RowSet<TargetWork>> claimTargets;
  private final SqlTemplate<Map<String, Object>, RowSet<TargetFinished>> sweep;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> canceled;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> workCounts;
  private final SqlTemplate<Map<String, Object>, RowSet<MemberClaim>> claimMembers;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> finishMember;
  private final Clock clock;

  public ClaimRepository(Pool pool, Clock clock) {
    this.clock = clock;
    claimExpansions = SqlTemplate.forQuery(pool, """
        SELECT job_execution_id, job_id, job_name, job_version, step_id, expansion_claim
          FROM jobs_internal.claim_expansions(#{owner}, #{max}, #{leaseSeconds})""")
      .mapTo(ExpansionClaim.ROW_MAPPER);
    startStep = SqlTemplate.forQuery(pool,
      "SELECT jobs_internal.start_step(#{id}, #{claim}, #{targets}::jsonb, #{failure}, #{now}) AS started");
    // The function joins what executors need itself: see the comment on jobs_internal.claim_targets.
    claimTargets = SqlTemplate.forQuery(pool, """
        SELECT target_execution_id, claim, current_attempts, job_execution_id, job_id, step_id, step_name, engine,
               server_name, database_name, execution_create_time, job_version, job_name, target_group_name,
               trust_server_certificate, ssl_mode, authentication, dry_run
          FROM jobs_internal.claim_targets(#{owner}, #{capacity}, #{share}, #{max}, #{leaseSeconds}, #{now})""").mapTo(ClaimRows.WORK);
    sweep = SqlTemplate.forQuery(pool, """
        SELECT t.target_execution_id, t.job_execution_id, j.job_name, t.step_id, t.step_name, t.server_name,
               t.database_name, t.lifecycle, t.current_attempts, t.last_message
          FROM jobs_internal.sweep(#{now}) t
          JOIN jobs_internal.jobs j ON j.job_id = t.job_id""")
      .mapTo(ClaimRows.FINISHED);
    canceled = SqlTemplate.forQuery(pool, """
        SELECT t.target_execution_id
          FROM jobs_internal.target_executions t
          JOIN jobs_internal.job_executions e ON e.job_execution_id = t.job_execution_id
         WHERE e.cancel_requested AND t.lifecycle = 'InProgress' AND t.lease_owner = #{owner}""");
    claimMembers = SqlTemplate.forQuery(pool, """
        SELECT target_execution_id, claim, current_attempts, job_execution_id, job_id, job_version, job_name, step_id,
               target_id, server_name
          FROM jobs_internal.claim_members(#{owner}, #{max}, #{leaseSeconds}, #{now})""")
      .mapTo(MemberClaim.ROW_MAPPER);
    finishMember = SqlTemplate.forQuery(pool,
      "SELECT jobs_internal.finish_member(#{id}, #{claim}, #{targets}::jsonb, #{now}) AS recorded");
    workCounts = SqlTemplate.forQuery(pool, """
        SELECT count(*) FILTER (WHERE lifecycle IN ('Created', 'WaitingForRetry')) AS queued,
               count(*) FILTER (WHERE lifecycle = 'InProgress') AS running
          FROM jobs_internal.target_executions
         WHERE lifecycle IN ('Created', 'WaitingForRetry', 'InProgress')""");
  }

  /** When this agent's clock says it is: claims compare readiness with it (see R__claims.sql). */
  private OffsetDateTime now() {
    return Params.utc(clock.instant());
  }

  public Future<List<ExpansionClaim>> claimExpansions(String owner, int max, int leaseSeconds) {
    return claimExpansions.execute(Params.of("owner", owner, "max", max, "leaseSeconds", leaseSeconds))
      .map(Rows::list);
  }

  /**
   * @param targets the databases and failed members to start the step with, as jobs_internal.add_targets reads them
   * @param failure null to start the step on the targets; else why its group could not be expanded
   */
  public Future<Boolean> startStep(ExpansionClaim claim, JsonArray targets, String failure) {
    return startStep.execute(Params.of("id", claim.jobExecutionId(), "claim", claim.claim(), "targets", targets,
        "failure", failure, "now", now()))
      .map(rows -> rows.iterator().next().getBoolean("started"));
  }

  /** Claims up to {@code max} member rows due for another listing; they take no slot from the capacity. */
  public Future<List<MemberClaim>> claimMembers(String owner, int max, int leaseSeconds) {
    return claimMembers.execute(Params.of("owner", owner, "max", max, "leaseSeconds", leaseSeconds, "now", now()))
      .map(Rows::list);
  }

  /** Records a member listed at last: its databases join the step. @return false when the claim was stale */
  public Future<Boolean> finishMember(MemberClaim claim, JsonArray targets) {
    return finishMember.execute(Params.of("id", claim.targetExecutionId(), "claim", claim.claim(), "targets", targets,
        "now", now()))
      .map(rows -> rows.iterator().next().getBoolean("recorded"));
  }

  /**
   * Claims up to {@code max} ready targets, as long as fewer than {@code capacity} run across every agent and
   * fewer than {@code share} on this one.
   *
   * @param capacity how many targets may run at once: the tier's cap, from Capacity
   * @param share how many may run on this agent: its fair share, from Capacity
   */
  public Future<List<TargetWork>> claimTargets(String owner, int capacity, int share, int max, int leaseSeconds) {
    return claimTargets.execute(Params.of("owner", owner, "capacity", capacity, "share", share, "max", max,
        "leaseSeconds", leaseSeconds, "now", now()))
      .map(Rows::list);
  }

  /** The targets this agent runs whose execution was cancelled. */
  public Future<List<UUID>> canceledInFlight(String owner) {
    return canceled.execute(Params.of("owner", owner))
      .map(rows -> Rows.list(rows).stream().map(row -> row.getUUID("target_execution_id")).toList());
  }

  /** @return {queued, in progress} over every agent */
  public Future<long[]> workCounts() {
    return workCounts.execute(Map.of())
      .map(rows -> {
        Row row = rows.iterator().next();
        return new long[] {row.getLong("queued"), row.getLong("running")};
      });
  }

  /** Ends what the sweep finds ended and settles steps; returns the targets it ended, to publish. */
  public Future<List<TargetFinished>> sweep() {
    return sweep.execute(Params.of("now", now())).map(Rows::list);
  }
}
