package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.alerts.api.ActionGroupService;
import io.fleetjobs.alerts.groups.ActionGroup;
import io.fleetjobs.alerts.store.ActionGroupRepository;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.MaskedUrls;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.jobs.notices.ExecutionNotificationRepository;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Map;
import java.util.function.Function;

/**
 * /actionGroups: who is told, by email, webhook, Slack and Teams. A webhook secret is write-only; one the agent
 * generated is in the response of the save that made it, and never again. Slack and Teams URLs are write-only
 * too: they are shown as their scheme and host. A group that alert rules or execution notifications name is
 * not deleted.
 */
public final class ActionGroupsApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of());
  private final ActionGroupRepository groups;
  private final ActionGroupService service;

  public ActionGroupsApi(ActionGroupRepository groups, ActionGroupService service) {
    this.groups = groups;
    this.service = service;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listActionGroups").addHandler(masked(ctx -> Endpoint.paged(ctx, groups::list, group -> group)));
    builder.getRoute("getActionGroup").addHandler(masked(ctx -> groups.get(pathParam(ctx, "name")).map(Reply::ok)));
    builder.getRoute("putActionGroup").addHandler(Endpoint.of(FIELDS, this::put));
    builder.getRoute("deleteActionGroup").addHandler(Endpoint.of(FIELDS,
      ctx -> {
        String name = pathParam(ctx, "name");
        return groups.delete(name, conn -> ExecutionNotificationRepository.namesUsing(conn, name))
          .map(done -> Reply.noContent());
      }));
    builder.getRoute("testActionGroup").addHandler(masked(ctx -> service.test(pathParam(ctx, "name")).map(Reply::ok)));
  }

  /** Webhook URLs carry secrets that only admins see. */
  private static Handler<RoutingContext> masked(Function<RoutingContext, Future<Reply>> handler) {
    return Endpoint.of(FIELDS, ctx -> handler.apply(ctx).map(reply -> MaskedUrls.forCaller(ctx, reply)));
  }

  private Future<Reply> put(RoutingContext ctx) {
    String name = pathParam(ctx, "name");
    ActionGroup group = ActionGroup.fromJson(name, Endpoint.body(ctx));
    return service.save(group).compose(saved -> groups.get(name).map(body -> {
      body.getJsonArray("webhookReceivers").forEach(receiver -> {
        JsonObject webhook = (JsonObject) receiver;
        String secret = saved.generatedSecrets().get(webhook.getString("name"));
        if (secret != null) {
          webhook.put("secret", secret);
        }
      });
      return Reply.saved(saved.created(), body);
    }));
  }
}
