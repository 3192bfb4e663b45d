package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.body;
import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldMapping;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.targetgroups.TargetGroup;
import io.fleetjobs.server.targetgroups.TargetGroupRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Map;

/** /targetGroups: sets of include and exclude members, expanded into databases when a step runs. */
public final class TargetGroupsApi {
  private static final FieldMapping MEMBER = FieldMapping.of(
    "membershipType", "membership_type",
    "type", "target_type",
    "engine", "engine",
    "serverName", "server_name",
    "databaseName", "database_name",
    "elasticPoolName", "elastic_pool_name",
    "refreshCredential", "refresh_credential_name",
    "trustServerCertificate", "trust_server_certificate",
    "sslMode", "ssl_mode",
    "authentication", "authentication",
    "canary", "canary");
  private static final FieldNames FIELDS = MEMBER.names(Map.of("target_group_name", "name"));

  private final TargetGroupRepository groups;

  public TargetGroupsApi(TargetGroupRepository groups) {
    this.groups = groups;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listTargetGroups").addHandler(Endpoint.of(FIELDS, this::list));
    builder.getRoute("getTargetGroup").addHandler(Endpoint.of(FIELDS, this::get));
    builder.getRoute("putTargetGroup").addHandler(Endpoint.of(FIELDS, this::put));
    builder.getRoute("deleteTargetGroup").addHandler(Endpoint.of(FIELDS, this::delete));
  }

  private Future<Reply> list(RoutingContext ctx) {
    int top = Endpoint.top(ctx);
    int skip = Endpoint.skip(ctx);
    return groups.list(top, skip).map(page -> Reply.page(ctx, page.map(TargetGroup::toJson), top, skip));
  }

  private Future<Reply> get(RoutingContext ctx) {
    // A group may hold 10,000 members: its JSON is encoded off the event loop.
    return groups.get(pathParam(ctx, "name")).map(group -> Reply.ok(group.toJson()).asBulky());
  }

  private Future<Reply> put(RoutingContext ctx) {
    String name = pathParam(ctx, "name");
    JsonObject body = body(ctx);
    Endpoint.requireSameName(body, name);
    JsonArray members = new JsonArray(body.getJsonArray("members").stream()
      .map(member -> MEMBER.toSql((JsonObject) member))
      .toList());
    return groups.save(name, members)
      .compose(created -> groups.get(name).map(group -> Reply.saved(created, group.toJson()).asBulky()));
  }

  private Future<Reply> delete(RoutingContext ctx) {
    return groups.delete(pathParam(ctx, "name")).map(done -> Reply.noContent());
  }
}
