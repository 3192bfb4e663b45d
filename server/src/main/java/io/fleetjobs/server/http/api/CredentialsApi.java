package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.body;
import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.server.credentials.Credential;
import io.fleetjobs.server.credentials.CredentialRepository;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Map;

/** /credentials: logins the agent uses on targets. The password goes in and never comes out. */
public final class CredentialsApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of("credential_name", "name"));
  private final CredentialRepository credentials;

  public CredentialsApi(CredentialRepository credentials) {
    this.credentials = credentials;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listCredentials").addHandler(Endpoint.of(FIELDS, this::list));
    builder.getRoute("getCredential").addHandler(Endpoint.of(FIELDS, this::get));
    builder.getRoute("putCredential").addHandler(Endpoint.of(FIELDS, this::put));
    builder.getRoute("deleteCredential").addHandler(Endpoint.of(FIELDS, this::delete));
  }

  private Future<Reply> list(RoutingContext ctx) {
    int top = Endpoint.top(ctx);
    int skip = Endpoint.skip(ctx);
    return credentials.list(top, skip).map(page -> Reply.page(ctx, page.map(Credential::toJson), top, skip));
  }

  private Future<Reply> get(RoutingContext ctx) {
    return credentials.get(pathParam(ctx, "name")).map(credential -> Reply.ok(credential.toJson()));
  }

  private Future<Reply> put(RoutingContext ctx) {
    String name = pathParam(ctx, "name");
    JsonObject body = body(ctx);
    Endpoint.requireSameName(body, name);
    return credentials.save(name, body.getString("username"), body.getString("password"))
      .compose(created -> credentials.get(name).map(credential -> Reply.saved(created, credential.toJson())));
  }

  private Future<Reply> delete(RoutingContext ctx) {
    return credentials.delete(pathParam(ctx, "name")).map(done -> Reply.noContent());
  }
}
