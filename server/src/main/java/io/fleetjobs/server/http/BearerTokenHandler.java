package io.fleetjobs.server.http;

import io.fleetjobs.common.errors.Forbidden;
import io.fleetjobs.common.errors.Unauthorized;
import io.fleetjobs.server.tokens.AccessToken;
import io.fleetjobs.server.tokens.AccessTokenRepository;
import io.fleetjobs.server.tokens.Role;
import io.fleetjobs.server.tokens.TokenSecrets;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.util.function.Function;

/**
 * Authenticates the bearer token and checks the role the contract demands of the operation
 * ({@code x-fleetjobs-role}), before the body is read or validated: a caller without the right learns
 * nothing, not even whether the request was well formed or the resource exists.
 */
public final class BearerTokenHandler implements Handler<RoutingContext> {
  static final String ROLE_EXTENSION = "x-fleetjobs-role";
  private static final String CALLER_KEY = "fleetjobs.caller";
  private static final String CALLER_HASH_KEY = "fleetjobs.caller.hash";
  private static final String BEARER = "Bearer ";

  private final Function<RoutingContext, Role> requiredRole;
  private final AccessTokenRepository tokens;

  /** For the API: each operation needs the role the contract names. */
  public BearerTokenHandler(OpenAPIContract contract, AccessTokenRepository tokens) {
    this(ctx -> requiredRole(contract, ctx), tokens);
  }

  /** For a route outside the contract, such as /metrics. */
  public BearerTokenHandler(Role required, AccessTokenRepository tokens) {
    this(ctx -> required, tokens);
  }

  private BearerTokenHandler(Function<RoutingContext, Role> requiredRole, AccessTokenRepository tokens) {
    this.requiredRole = requiredRole;
    this.tokens = tokens;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Role required = requiredRole.apply(ctx);
    if (required == Role.PUBLIC) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      ctx.fail(new Unauthorized());
      return;
    }
    // Hold the body back until the caller is known: nothing is buffered for a caller who may not send it.
    ctx.request().pause();
    byte[] hash = TokenSecrets.hash(header.substring(BEARER.length()).trim());
    tokens.tokenOf(hash)
      .onSuccess(token -> {
        if (token == null) {
          ctx.fail(new Unauthorized());
        } else if (!token.role().covers(required)) {
          ctx.fail(new Forbidden(required.wireName()));
        } else {
          ctx.put(CALLER_KEY, token);
          ctx.put(CALLER_HASH_KEY, Buffer.buffer(hash));
          ctx.next();
        }
      })
      .onFailure(ctx::fail);
  }

  /** The token the request was authenticated with; only for operations that need a role. */
  public static AccessToken caller(RoutingContext ctx) {
    return ctx.get(CALLER_KEY);
  }

  /** The hash of the caller's token, for what must check later that the token still holds (a live stream). */
  public static Buffer callerHash(RoutingContext ctx) {
    return ctx.get(CALLER_HASH_KEY);
  }

  private static Role requiredRole(OpenAPIContract contract, RoutingContext ctx) {
    // The router matches the normalized path, and a trailing slash too; so must this lookup. A path that
    // names no operation needs admin, so no spelling of a path can slip past the check.
    String path = ctx.normalizedPath();
    Operation operation = contract.findOperation(path.length() > 1 && path.endsWith("/")
      ? path.substring(0, path.length() - 1) : path, ctx.request().method());
    return operation == null ? Role.ADMIN : requiredRole(operation);
  }

  /** Operations without the extension need admin: forgetting to mark one errs on the safe side. */
  private static Role requiredRole(Operation operation) {
    Object declared = operation.getExtensions().get(ROLE_EXTENSION);
    return declared == null ? Role.ADMIN : Role.parse(declared.toString());
  }
}
