package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.body;
import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.server.credentials.Credential;
import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.common.secrets.SecretReference;
import io.fleetjobs.server.credentials.CredentialRepository;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.targetgroups.CredentialTester;
import io.fleetjobs.server.targets.ConnectionSettings;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.List;
import java.util.Map;

/**
 * /credentials: logins the agent uses on targets. The password goes in and never comes out; a password given by
 * reference (passwordFrom) is read from the platform when used, and only the reference is shown.
 */
public final class CredentialsApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of("credential_name", "name",
    "target_group_name", "targetGroup"));
  private final CredentialRepository credentials;
  private final CredentialTester tester;

  public CredentialsApi(CredentialRepository credentials, CredentialTester tester) {
    this.credentials = credentials;
    this.tester = tester;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listCredentials").addHandler(Endpoint.of(FIELDS, this::list));
    builder.getRoute("getCredential").addHandler(Endpoint.of(FIELDS, this::get));
    builder.getRoute("putCredential").addHandler(Endpoint.of(FIELDS, this::put));
    builder.getRoute("deleteCredential").addHandler(Endpoint.of(FIELDS, this::delete));
    builder.getRoute("testCredential").addHandler(Endpoint.of(FIELDS, this::test));
  }

  /** Either a server or a target group, not both: the two answer different questions. */
  private Future<Reply> test(RoutingContext ctx) {
    String name = pathParam(ctx, "name");
    JsonObject body = body(ctx);
    String server = body.getString("serverName");
    String group = body.getString("targetGroup");
    if ((server == null) == (group == null)) {
      return Future.failedFuture(new InvalidInput(server == null ? "serverName" : "targetGroup",
        "Name either a serverName or a targetGroup to test the credential on."));
    }
    Future<List<JsonObject>> results = server != null
      ? tester.onServer(name, body.getString("engine", "postgresql"), server, body.getString("databaseName"),
        new ConnectionSettings(body.getBoolean("trustServerCertificate", false), body.getString("sslMode"),
          ConnectionSettings.ENTRA.equals(body.getString("authentication")) ? ConnectionSettings.ENTRA : null))
      : tester.onGroup(name, group);
    return results.map(Reply::list);
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
    SecretReference passwordFrom = SecretReference.fromJson(body.getJsonObject("passwordFrom"), "passwordFrom");
    return credentials.save(name, body.getString("username"), body.getString("password"), passwordFrom)
      .compose(created -> credentials.get(name).map(credential -> Reply.saved(created, credential.toJson())));
  }

  private Future<Reply> delete(RoutingContext ctx) {
    return credentials.delete(pathParam(ctx, "name")).map(done -> Reply.noContent());
  }
}
