package io.fleetjobs.server.jobs.dispatch;

import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.Tier;
import io.fleetjobs.server.jobs.claims.ClaimRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** The agent resource as the API shows it: the tier (Azure's sku) and the capacity in use across agents. */
public final class AgentStatus {
  private final Capacity capacity;
  private final ClaimRepository claims;

  public AgentStatus(Capacity capacity, ClaimRepository claims) {
    this.capacity = capacity;
    this.claims = claims;
  }

  /** Reads the tier afresh, so a change made through another agent shows at once. */
  public Future<JsonObject> describe() {
    return capacity.refresh().compose(this::describe);
  }

  public Future<JsonObject> describe(Tier current) {
    return claims.workCounts().map(counts -> new JsonObject()
      .put("name", "fleetjobs")
      .put("state", "Ready")
      .put("sku", new JsonObject().put("name", current.name()).put("capacity", Capacity.concurrentTargets(current)))
      .put("targetsInProgress", counts[1])
      .put("queueDepth", counts[0]));
  }

  public Future<Tier> save(Tier requested) {
    return capacity.save(requested);
  }
}
