package io.fleetjobs.server.http;

import io.fleetjobs.server.errors.Forbidden;
import io.fleetjobs.server.errors.Unauthorized;
import io.fleetjobs.server.tokens.AccessTokenRepository;
import io.fleetjobs.server.tokens.Role;
import io.fleetjobs.server.tokens.TokenSecrets;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;

/**
 * Authenticates the bearer token and checks the role the contract demands of the operation
 * ({@code x-fleetjobs-role}), before any validation: a caller without the right learns nothing,
 * not even whether the request was well formed or the resource exists.
 */
final class BearerTokenHandler implements AuthenticationHandler {
  static final String ROLE_EXTENSION = "x-fleetjobs-role";
  static final String ROLE_KEY = "fleetjobs.role";
  private static final String BEARER = "Bearer ";

  private final OpenAPIContract contract;
  private final AccessTokenRepository tokens;

  BearerTokenHandler(OpenAPIContract contract, AccessTokenRepository tokens) {
    this.contract = contract;
    this.tokens = tokens;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Operation operation = contract.findOperation(ctx.request().path(), ctx.request().method());
    // No operation: let the router answer 404 or 405 without asking for a token.
    Role required = operation == null ? Role.PUBLIC : requiredRole(operation);
    if (required == Role.PUBLIC) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      ctx.fail(new Unauthorized());
      return;
    }
    tokens.roleOf(TokenSecrets.hash(header.substring(BEARER.length()).trim()))
      .onSuccess(role -> {
        if (role == null) {
          ctx.fail(new Unauthorized());
        } else if (!role.covers(required)) {
          ctx.fail(new Forbidden(required.wireName()));
        } else {
          ctx.put(ROLE_KEY, role);
          ctx.next();
        }
      })
      .onFailure(ctx::fail);
  }

  /** Operations without the extension need admin: forgetting to mark one errs on the safe side. */
  private static Role requiredRole(Operation operation) {
    Object declared = operation.getExtensions().get(ROLE_EXTENSION);
    return declared == null ? Role.ADMIN : Role.parse(declared.toString());
  }
}
