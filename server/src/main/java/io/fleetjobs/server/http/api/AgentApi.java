package io.fleetjobs.server.http.api;

import io.fleetjobs.server.agents.AgentRegistry;
import io.fleetjobs.server.bus.Addresses;
import io.fleetjobs.server.config.Tier;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.jobs.dispatch.AgentStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Map;

/**
 * /agent: the job agent resource, with its tier as the Azure sku (the tier can change at run time); and
 * /agents: the agent processes sharing the job database, from their heartbeats.
 */
public final class AgentApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of());
  private final AgentStatus agent;
  private final AgentRegistry registry;
  private final Vertx vertx;

  public AgentApi(AgentStatus agent, AgentRegistry registry, Vertx vertx) {
    this.agent = agent;
    this.registry = registry;
    this.vertx = vertx;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("getAgent").addHandler(Endpoint.of(FIELDS, ctx -> agent.describe().map(Reply::ok)));
    builder.getRoute("putAgent").addHandler(Endpoint.of(FIELDS, this::put));
    builder.getRoute("listAgents").addHandler(Endpoint.of(FIELDS, ctx -> registry.list().map(Reply::list)));
  }

  private Future<Reply> put(RoutingContext ctx) {
    Tier requested = Tier.parse(Endpoint.body(ctx).getJsonObject("sku").getString("name"));
    return agent.save(requested)
      .onSuccess(saved -> vertx.eventBus().publish(Addresses.TIER_CHANGED, new JsonObject().put("tier", saved.name())))
      .compose(agent::describe)
      .map(Reply::ok);
  }
}
