package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.body;
import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.server.http.BearerTokenHandler;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.tokens.AccessToken;
import io.fleetjobs.server.tokens.AccessTokenRepository;
import io.fleetjobs.server.tokens.Role;
import io.fleetjobs.server.tokens.TokenSecrets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Map;

/** /tokens: API tokens. A secret is shown once, in the response that issues it; only its hash is kept. */
public final class TokensApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of());
  private final AccessTokenRepository tokens;

  public TokensApi(AccessTokenRepository tokens) {
    this.tokens = tokens;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listTokens").addHandler(Endpoint.of(FIELDS, this::list));
    builder.getRoute("createToken").addHandler(Endpoint.of(FIELDS, this::create));
    builder.getRoute("revokeToken").addHandler(Endpoint.of(FIELDS, this::revoke));
    builder.getRoute("getMe").addHandler(Endpoint.of(FIELDS,
      ctx -> Future.succeededFuture(Reply.ok(BearerTokenHandler.caller(ctx).toJson()))));
  }

  private Future<Reply> list(RoutingContext ctx) {
    return tokens.list().map(list -> Reply.list(list.stream().map(AccessToken::toJson).toList()));
  }

  private Future<Reply> create(RoutingContext ctx) {
    JsonObject body = body(ctx);
    String secret = TokenSecrets.newSecret();
    String name = body.getString("name");
    return tokens.create(name, Role.parse(body.getString("role")), TokenSecrets.hash(secret))
      .map(token -> new Reply(201, token.toJson().put("token", secret), null));
  }

  private Future<Reply> revoke(RoutingContext ctx) {
    return tokens.revoke(pathParam(ctx, "name")).map(done -> Reply.noContent());
  }
}
