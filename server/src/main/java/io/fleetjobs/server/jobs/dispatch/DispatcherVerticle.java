package io.fleetjobs.server.jobs.dispatch;

import io.fleetjobs.common.async.CoalescedRounds;
import io.fleetjobs.server.bus.Addresses;
import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.bus.TargetWork;
import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.jobs.claims.AttemptRepository;
import io.fleetjobs.server.jobs.claims.ClaimRepository;
import io.fleetjobs.server.jobs.claims.Claimant;
import io.fleetjobs.server.logging.LogKeys;
import io.fleetjobs.server.logging.TargetOutcomeLog;
import io.fleetjobs.server.metrics.ExecutionMetrics;
import io.fleetjobs.server.metrics.ExecutionMetrics.Claimed;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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

  /**
   * What the dispatcher uses: the claims it makes as {@code claimant}, how often it looks for work anyway,
   * where it hands work back, how it starts steps, the capacity, and the meters it keeps current.
   */
  public record Dependencies(Claimant claimant, long intervalMs, ClaimRepository claims, AttemptRepository attempts,
                             StepStarter steps, Capacity capacity, ExecutionMetrics metrics) {
  }

  private final Claimant claimant;
  private final long intervalMs;
  private final ClaimRepository claims;
  private final AttemptRepository attempts;
  private final StepStarter steps;
  private final Capacity capacity;
  private final ExecutionMetrics metrics;
  /** A full round settles first: what finished together is settled together. */
  private final CoalescedRounds rounds = new CoalescedRounds(this::round);
  private final CoalescedRounds housekeepingRounds = new CoalescedRounds(this::housekeeping);

  public DispatcherVerticle(Dependencies dependencies) {
    this.claimant = dependencies.claimant();
    this.intervalMs = dependencies.intervalMs();
    this.claims = dependencies.claims();
    this.attempts = dependencies.attempts();
    this.steps = dependencies.steps();
    this.capacity = dependencies.capacity();
    this.metrics = dependencies.metrics();
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(intervalMs, id -> wake());
    vertx.setPeriodic(HOUSEKEEPING_MS, id -> housekeepingRounds.requestIfIdle());
    vertx.eventBus().<Void>localConsumer(Addresses.DISPATCH_WAKE, message -> wake());
    vertx.eventBus().<JsonObject>localConsumer(Addresses.TIER_CHANGED, message -> capacity.refresh()
      .onComplete(refreshed -> wake()));
    // A finished target frees a slot and may finish its step: claim, and settle what finished together.
    vertx.eventBus().<JsonObject>localConsumer(Addresses.TARGET_FINISHED, message -> rounds.requestFull());
    return capacity.refresh();
  }

  /**
   * Claims nothing more, and waits for the round that runs: the executors, stopped after the dispatcher, then
   * hand its work back with their own. Cut off, that round's claimed work would wait for its lease to expire
   * (seen as 23 s of delay in a rolling restart of 1,000 targets).
   */
  @Override
  public Future<?> stop() {
    return Future.join(rounds.close(), housekeepingRounds.close());
  }

  private void wake() {
    rounds.request();
  }

  private Future<?> round(boolean settle) {
    return (settle ? sweep() : Future.succeededFuture())
      .compose(settled -> expandSteps())
      .compose(expanding -> relistMembers())
      .compose(relisting -> dispatchTargets())
      .onFailure(e -> LOG.warn("Dispatch round failed; the next tick retries: {}", e.getMessage()));
  }

  /**
   * Claims the steps due to start and expands them in the background: enumerating a slow server must not
   * hold up the targets other runs have ready. Each expansion wakes a round when it has started its step.
   */
  private Future<Void> expandSteps() {
    return claims.claimExpansions(claimant.agentId(), EXPANSIONS_PER_ROUND, claimant.leaseSeconds())
      .map(claimed -> {
        metrics.claimed(Claimed.STEP, claimed.size());
        claimed.forEach(claim -> steps.start(claim).onComplete(started -> wake()));
        return null;
      });
  }

  /** Claims the members due for another listing and lists them in the background, like expansions. */
  private Future<Void> relistMembers() {
    return claims.claimMembers(claimant.agentId(), EXPANSIONS_PER_ROUND, claimant.leaseSeconds())
      .map(claimed -> {
        metrics.claimed(Claimed.MEMBER, claimed.size());
        claimed.forEach(claim -> steps.relist(claim)
          .onSuccess(failedAgain -> failedAgain.ifPresent(this::publish))
          .onFailure(e -> LogKeys.step(LOG.atWarn(), claim.jobName(), claim.jobExecutionId(), claim.stepId())
            .log("Listing member '{}' of job {} (execution {}) again failed; its lease will expire and it is listed "
              + "again: {}", claim.serverName(), claim.jobName(), claim.jobExecutionId(), e.getMessage()))
          .onComplete(done -> wake()));
        return null;
      });
  }

  private Future<Integer> dispatchTargets() {
    // Asks for this agent's whole share; the job database decides how many slots are really free.
    int share = capacity.agentShare();
    return claims.claimTargets(claimant.agentId(), capacity.concurrentTargets(), share, share,
        claimant.leaseSeconds())
      .map(claimed -> {
        metrics.claimed(Claimed.TARGET, claimed.size());
        claimed.forEach(this::handOver);
        if (claimed.size() == share) {
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
        LogKeys.target(LOG.atWarn(), work).log("No executor took target {} ({}/{}): {}; handing it back",
          work.targetExecutionId(), work.serverName(), work.databaseName(), e.getMessage());
        attempts.release(work).onComplete(released -> wake());
      });
  }

  /** Ends what lost its agent, settles steps, and publishes the targets it ended like any other result. */
  private Future<Void> sweep() {
    return claims.sweep().map(ended -> {
      ended.forEach(this::publish);
      return null;
    });
  }

  /** A result recorded here, counted and told to whoever listens, as the executors do with theirs. */
  private void publish(TargetFinished finished) {
    if (finished.isFinal()) {
      metrics.record(finished);
      TargetOutcomeLog.ended(finished);
    }
    vertx.eventBus().publish(Addresses.TARGET_FINISHED, finished.toJson());
  }

  /** Settles what needs no target, tells executors about cancellations, and reads the shared state. */
  private Future<?> housekeeping() {
    return sweep()
      .compose(swept -> claims.canceledInFlight(claimant.agentId()))
      .onSuccess(canceled -> {
        if (!canceled.isEmpty()) {
          vertx.eventBus().publish(Addresses.TARGET_CANCEL, new JsonObject()
            .put("targetExecutionIds", new JsonArray(canceled.stream().map(Object::toString).toList())));
        }
      })
      .compose(published -> capacity.refresh())
      .compose(refreshed -> claims.workCounts())
      .onSuccess(counts -> metrics.observe(counts[0], counts[1]))
      .onFailure(e -> LOG.warn("Housekeeping failed; it runs again in a second: {}", e.getMessage()));
  }
}
