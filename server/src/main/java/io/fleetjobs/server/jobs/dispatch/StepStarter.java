package io.fleetjobs.server.jobs.dispatch;

import io.fleetjobs.common.errors.FleetJobsException;
import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.jobs.JobStep;
import io.fleetjobs.server.jobs.PinnedSteps;
import io.fleetjobs.server.jobs.RetryBackoff;
import io.fleetjobs.server.jobs.claims.AttemptRepository;
import io.fleetjobs.server.jobs.claims.AttemptResult;
import io.fleetjobs.server.jobs.claims.ClaimRepository;
import io.fleetjobs.server.jobs.claims.ExpansionClaim;
import io.fleetjobs.server.jobs.claims.MemberClaim;
import io.fleetjobs.server.jobs.executions.Lifecycle;
import io.fleetjobs.server.logging.LogKeys;
import io.fleetjobs.server.targetgroups.GroupExpander;
import io.fleetjobs.server.targets.ResolvedTarget;
import io.fleetjobs.server.targets.Retryability;
import io.fleetjobs.server.targets.TargetFailures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a claimed step: expands its target group as it is now and records what it found, the databases and
 * the members that could not be listed; and lists such a member again when its retry is due.
 */
public final class StepStarter {
  private static final Logger LOG = LoggerFactory.getLogger(StepStarter.class);
  private final PinnedSteps steps;
  private final GroupExpander expander;
  private final ClaimRepository claims;
  private final AttemptRepository attempts;

  public StepStarter(PinnedSteps steps, GroupExpander expander, ClaimRepository claims, AttemptRepository attempts) {
    this.steps = steps;
    this.expander = expander;
    this.claims = claims;
    this.attempts = attempts;
  }

  /**
   * A group that is gone fails the step; a member that cannot be listed gets a row of its own, retried under the
   * step's retry policy, and every other member's databases run. Anything else (the job database blinking)
   * leaves the claim to expire and the step to be expanded again.
   *
   * @return whether the step started (false: another agent took the expansion over, or it will be retried)
   */
  public Future<Boolean> start(ExpansionClaim claim) {
    return steps.get(claim.jobId(), claim.jobVersion(), claim.stepId())
      .compose(step -> expander.expand(step.targetGroupId())
        .compose(expansion -> claims.startStep(claim, rows(step, expansion), null)))
      .recover(failure -> {
        if (!(failure instanceof NotFound)) {
          LogKeys.step(LOG.atWarn(), claim.jobName(), claim.jobExecutionId(), claim.stepId())
            .log("Step {} of job {} (execution {}) will be expanded again: {}", claim.stepId(), claim.jobName(),
              claim.jobExecutionId(), String.valueOf(failure));
          return Future.succeededFuture(false);
        }
        LogKeys.step(LOG.atWarn(), claim.jobName(), claim.jobExecutionId(), claim.stepId())
          .log("Step {} of job {} (execution {}) cannot start: {}", claim.stepId(), claim.jobName(),
            claim.jobExecutionId(), failure.getMessage());
        return claims.startStep(claim, new JsonArray(), failure.getMessage());
      });
  }

  /**
   * Lists a member again: its databases join the step, or its row waits for the next retry (or fails).
   *
   * @return the member row's result when it failed again, to publish like any other; empty otherwise
   */
  public Future<Optional<TargetFinished>> relist(MemberClaim claim) {
    return steps.get(claim.jobId(), claim.jobVersion(), claim.stepId())
      .compose(step -> expander.expandMember(step.targetGroupId(), claim.memberTargetId())
        .compose(expansion -> expansion.failures().isEmpty()
          ? claims.finishMember(claim, rows(step, expansion)).map(recorded -> Optional.empty())
          : relistFailed(claim, step, expansion.failures().get(0))));
  }

  private Future<Optional<TargetFinished>> relistFailed(MemberClaim claim, JobStep step,
                                                        GroupExpander.MemberFailure failure) {
    Instant retryAt = retryAt(step, failure.cause(), attempts.now(), claim.attempt());
    return attempts.finish(new AttemptResult(claim.targetExecutionId(), claim.claim(), Lifecycle.FAILED.value(),
      memberMessage(step, failure, retryAt, claim.attempt()), retryAt, TargetFailures.code(failure.cause()).orElse(null),
      null));
  }

  /** The databases to run, and a row for each member that could not be listed, as add_targets reads them. */
  private JsonArray rows(JobStep step, GroupExpander.Expansion expansion) {
    JsonArray rows = new JsonArray();
    expansion.targets().forEach(target -> rows.add(target.toSqlJson()));
    Instant now = attempts.now();
    for (GroupExpander.MemberFailure failure : expansion.failures()) {
      Instant retryAt = retryAt(step, failure.cause(), now, 1);
      rows.add(new JsonObject()
        .put("target_type", failure.member().type())
        .put("target_id", failure.member().targetId().toString())
        .put("engine", failure.member().engine())
        .put("server_name", failure.member().serverName())
        .put("server_key", failure.serverKey())
        .put("database_name", "")
        .put("parallel_group", failure.member().elasticPoolName() != null
          ? failure.member().elasticPoolName() : failure.member().serverName())
        .put("trust_server_certificate", failure.member().trustServerCertificate())
        .put("ssl_mode", expander.sslMode(failure.member()))
        .put("authentication", failure.member().authentication())
        .put("expands_member", true)
        .put("last_message", memberMessage(step, failure, retryAt, 1))
        .put("retry_at", retryAt == null ? null : retryAt.toString()));
    }
    return rows;
  }

  /** When to list the member again, or null when no listing can succeed (its login refused, say). */
  private static Instant retryAt(JobStep step, Throwable cause, Instant now, int attempt) {
    Retryability retryability = TargetFailures.classify(cause);
    boolean retryable = retryability.retryable()
      || (step.executionOptions().retriesAnyFailure() && !(cause instanceof FleetJobsException));
    return retryable ? RetryBackoff.of(step.executionOptions()).nextAttempt(now, attempt) : null;
  }

  private static String memberMessage(JobStep step, GroupExpander.MemberFailure failure, Instant retryAt, int attempt) {
    String message = "Attempt " + attempt + " of step " + step.stepId() + ": " + failure.message();
    Retryability retryability = TargetFailures.classify(failure.cause());
    return retryAt != null || retryability.retryable() ? message : message + "; not retried: " + retryability.reason();
  }
}
