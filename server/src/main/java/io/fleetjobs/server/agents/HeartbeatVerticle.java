package io.fleetjobs.server.agents;

import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.metrics.ExecutionMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports this agent to the registry every heartbeat and takes from the answer its share of the tier's
 * capacity, so that agents sharing a job database split the work instead of the first one awake claiming it
 * all. A clean stop leaves the live set at once. Missing a heartbeat changes nothing but the share: leases
 * and fencing, not the registry, keep the work correct.
 */
public final class HeartbeatVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatVerticle.class);

  /**
   * Who this agent is, how often it reports, where the share goes, this agent's own cap, and the meters that show
   * the live agents and the share.
   */
  public record Dependencies(AgentRegistry registry, AgentRegistry.AgentIdentity self, int heartbeatSeconds,
                             Capacity capacity, ExecutionMetrics metrics) {
  }

  private final Dependencies dependencies;
  private boolean beating;

  public HeartbeatVerticle(Dependencies dependencies) {
    this.dependencies = dependencies;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(dependencies.heartbeatSeconds() * 1000L, id -> beat());
    return beat();
  }

  private Future<?> beat() {
    if (beating) {
      return Future.succeededFuture();
    }
    beating = true;
    Capacity capacity = dependencies.capacity();
    return dependencies.registry()
      .beat(dependencies.self(), dependencies.heartbeatSeconds(), capacity.concurrentTargets(), capacity.agentMax())
      .onSuccess(beat -> {
        capacity.share(beat.share());
        dependencies.metrics().heartbeat(beat.liveAgents(), beat.share());
      })
      // A job database that does not answer: keep the last share; the claims will not run either.
      .onFailure(e -> LOG.warn("Heartbeat failed; the next one retries: {}", e.getMessage()))
      .otherwiseEmpty()
      .onComplete(done -> beating = false);
  }

  @Override
  public Future<?> stop() {
    return dependencies.registry().stopped(dependencies.self())
      .onFailure(e -> LOG.warn("Could not mark this agent stopped; it shows as lost after three heartbeats: {}",
        e.getMessage()))
      .otherwiseEmpty();
  }
}
