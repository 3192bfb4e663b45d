package io.fleetjobs.server.http.api;

import io.fleetjobs.server.bus.Addresses;
import io.fleetjobs.server.config.Tier;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.jobs.dispatch.ClaimRepository;
import io.fleetjobs.server.jobs.dispatch.TierSetting;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Map;

/** /agent: the job agent resource, with its tier as the Azure sku. The tier can change at run time. */
public final class AgentApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of());
  private final TierSetting tier;
  private final ClaimRepository claims;
  private final Vertx vertx;

  public AgentApi(TierSetting tier, ClaimRepository claims, Vertx vertx) {
    this.tier = tier;
    this.claims = claims;
    this.vertx = vertx;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("getAgent").addHandler(Endpoint.of(FIELDS, ctx -> tier.refresh().compose(this::describe)));
    builder.getRoute("putAgent").addHandler(Endpoint.of(FIELDS, this::put));
  }

  private Future<Reply> put(RoutingContext ctx) {
    Tier requested = Tier.parse(Endpoint.body(ctx).getJsonObject("sku").getString("name"));
    return tier.save(requested)
      .onSuccess(saved -> vertx.eventBus().publish(Addresses.TIER_CHANGED, new JsonObject().put("tier", saved.name())))
      .compose(this::describe);
  }

  private Future<Reply> describe(Tier current) {
    return claims.workCounts().map(counts -> Reply.ok(new JsonObject()
      .put("name", "fleetjobs")
      .put("state", "Ready")
      .put("sku", new JsonObject().put("name", current.name()).put("capacity", current.maxConcurrentTargets()))
      .put("targetsInProgress", counts[1])
      .put("queueDepth", counts[0])));
  }
}
