package io.fleetjobs.server.jobs.dispatch;

import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.errors.TargetUnreachable;
import io.fleetjobs.server.jobs.PinnedSteps;
import io.fleetjobs.server.jobs.claims.ClaimRepository;
import io.fleetjobs.server.jobs.claims.ExpansionClaim;
import io.vertx.core.Future;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a claimed step: expands its target group as it is now, then records the targets it found. */
public final class StepStarter {
  private static final Logger LOG = LoggerFactory.getLogger(StepStarter.class);
  private final PinnedSteps steps;
  private final StepExpander expander;
  private final ClaimRepository claims;

  public StepStarter(PinnedSteps steps, StepExpander expander, ClaimRepository claims) {
    this.steps = steps;
    this.expander = expander;
    this.claims = claims;
  }

  /**
   * A server that cannot be enumerated, or a group or credential that is gone, fails the step with that
   * error; anything else (the job database blinking) leaves the claim to expire and the step to be expanded
   * again.
   *
   * @return whether the step started (false: another agent took the expansion over, or it will be retried)
   */
  public Future<Boolean> start(ExpansionClaim claim) {
    return steps.get(claim.jobId(), claim.jobVersion(), claim.stepId())
      .compose(step -> expander.expand(step.targetGroupId()))
      .compose(targets -> claims.startStep(claim, targets, null),
        failure -> {
          if (!(failure instanceof TargetUnreachable) && !(failure instanceof NotFound)) {
            LOG.warn("Step {} of job {} (execution {}) will be expanded again: {}", claim.stepId(), claim.jobName(),
              claim.jobExecutionId(), failure.getMessage());
            return Future.succeededFuture(false);
          }
          LOG.warn("Step {} of job {} (execution {}) cannot start: {}", claim.stepId(), claim.jobName(),
            claim.jobExecutionId(), failure.getMessage());
          return claims.startStep(claim, List.of(), failure.getMessage());
        });
  }
}
