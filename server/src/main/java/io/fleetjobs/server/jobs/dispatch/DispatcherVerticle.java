package io.fleetjobs.server.jobs.dispatch;

import io.fleetjobs.common.async.CoalescedRounds;
import io.fleetjobs.server.bus.Addresses;
import io.fleetjobs.server.bus.TargetWork;
import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.errors.TargetUnreachable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-loop side of the engine: it only claims and hands out. Each round expands the steps that are
 * due to start, then claims as many ready targets as the tier has free slots and sends each to an executor.
 * Rounds run on a short tick and whenever work arrives or finishes; they never overlap.
 */
public final class DispatcherVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DispatcherVerticle.class);
  private static final int EXPANSIONS_PER_ROUND = 8;
  private static final long HOUSEKEEPING_MS = 1000;
  private static final long HANDOVER_MS = 5000;

  private final Engine engine;
  /** A full round settles first: what finished together is settled together. */
  private final CoalescedRounds rounds = new CoalescedRounds(this::round);
  private final CoalescedRounds housekeepingRounds = new CoalescedRounds(this::housekeeping);

  public DispatcherVerticle(Engine engine) {
    this.engine = engine;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(engine.settings().dispatchIntervalMs(), id -> wake());
    vertx.setPeriodic(HOUSEKEEPING_MS, id -> housekeepingRounds.requestIfIdle());
    vertx.eventBus().<Void>localConsumer(Addresses.DISPATCH_WAKE, message -> wake());
    vertx.eventBus().<JsonObject>localConsumer(Addresses.TIER_CHANGED, message -> engine.tier().refresh()
      .onComplete(refreshed -> wake()));
    // A finished target frees a slot and may finish its step: claim, and settle what finished together.
    vertx.eventBus().<JsonObject>localConsumer(Addresses.TARGET_FINISHED, message -> rounds.requestFull());
    return engine.tier().refresh();
  }

  private void wake() {
    rounds.request();
  }

  private Future<?> round(boolean settle) {
    return (settle ? sweep() : Future.succeededFuture())
      .compose(settled -> expandSteps())
      .compose(expanding -> dispatchTargets())
      .onFailure(e -> LOG.warn("Dispatch round failed; the next tick retries: {}", e.getMessage()));
  }

  /**
   * Claims the steps due to start and expands them in the background: enumerating a slow server must not
   * hold up the targets other runs have ready. Each expansion wakes a round when it has started its step.
   */
  private Future<Void> expandSteps() {
    return engine.claims().claimExpansions(engine.agentId(), EXPANSIONS_PER_ROUND, engine.settings().leaseSeconds())
      .map(claims -> {
        claims.forEach(claim -> startStep(claim).onComplete(started -> wake()));
        return null;
      });
  }

  /**
   * Expands the step's group now. A server that cannot be enumerated, or a group or credential that is
   * gone, fails the step with that error; anything else (the job database blinking) leaves the claim to
   * expire and the step to be expanded again.
   */
  private Future<Boolean> startStep(ExpansionClaim claim) {
    return engine.steps().get(claim.jobId(), claim.jobVersion(), claim.stepId())
      .compose(step -> engine.expander().expand(step.targetGroupId()))
      .compose(targets -> engine.claims().startStep(claim, targets, null),
        failure -> {
          if (!(failure instanceof TargetUnreachable) && !(failure instanceof NotFound)) {
            LOG.warn("Step {} of job {} (execution {}) will be expanded again: {}", claim.stepId(), claim.jobName(),
              claim.jobExecutionId(), failure.getMessage());
            return Future.succeededFuture(false);
          }
          LOG.warn("Step {} of job {} (execution {}) cannot start: {}", claim.stepId(), claim.jobName(),
            claim.jobExecutionId(), failure.getMessage());
          return engine.claims().startStep(claim, List.of(), failure.getMessage());
        });
  }

  private Future<Integer> dispatchTargets() {
    // Up to a whole tier's worth per round; the job database decides how many slots are really free.
    int capacity = engine.tier().current().maxConcurrentTargets();
    return engine.claims().claimTargets(engine.agentId(), capacity, engine.settings().leaseSeconds())
      .map(claimed -> {
        claimed.forEach(this::handOver);
        if (claimed.size() == capacity) {
          rounds.request();
        }
        return claimed.size();
      });
  }

  /**
   * Gives claimed work to an executor, which acknowledges it on receipt. Work that no executor took (none
   * registered, or none answering) is handed back at once rather than left to wait for its lease to expire.
   */
  private void handOver(TargetWork work) {
    vertx.eventBus().request(Addresses.TARGET_RUN, work.toJson(), new DeliveryOptions().setSendTimeout(HANDOVER_MS))
      .onFailure(e -> {
        LOG.warn("No executor took target {} ({}/{}): {}; handing it back", work.targetExecutionId(),
          work.serverName(), work.databaseName(), e.getMessage());
        engine.claims().release(work).onComplete(released -> wake());
      });
  }

  /** Ends what lost its agent, settles steps, and publishes the targets it ended like any other result. */
  private Future<Void> sweep() {
    return engine.claims().sweep().map(ended -> {
      ended.forEach(finished -> {
        engine.metrics().record(finished);
        vertx.eventBus().publish(Addresses.TARGET_FINISHED, finished.toJson());
      });
      return null;
    });
  }

  /** Settles what needs no target, tells executors about cancellations, and reads the shared state. */
  private Future<?> housekeeping() {
    return sweep()
      .compose(swept -> engine.claims().canceledInFlight(engine.agentId()))
      .onSuccess(canceled -> {
        if (!canceled.isEmpty()) {
          vertx.eventBus().publish(Addresses.TARGET_CANCEL, new JsonObject()
            .put("targetExecutionIds", new JsonArray(canceled.stream().map(Object::toString).toList())));
        }
      })
      .compose(published -> engine.tier().refresh())
      .compose(tier -> engine.claims().workCounts())
      .onSuccess(counts -> engine.metrics().observe(counts[0], counts[1]))
      .onFailure(e -> LOG.warn("Housekeeping failed; it runs again in a second: {}", e.getMessage()));
  }
}
