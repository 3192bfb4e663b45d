package io.fleetjobs.server.http;

import io.fleetjobs.common.errors.FleetJobsException;
import io.fleetjobs.server.db.SqlFailures;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place failures become HTTP: {"error": {"code", "message", "target"}}. Caller mistakes are 4xx
 * and not logged as errors; anything unexpected is logged once here and answered 500 without details.
 */
public final class ErrorResponses implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    Throwable failure = ctx.failure();
    if (failure instanceof HttpException http && http.getCause() instanceof ValidatorException invalid) {
      failure = ValidationFailures.toInvalidInput(invalid);
    } else if (!(failure instanceof FleetJobsException) && failure != null) {
      failure = SqlFailures.domainFailure(failure);
    }
    if (failure instanceof FleetJobsException known) {
      send(ctx, known.status(), known.code(), known.getMessage(), known.target());
    } else if (failure instanceof HttpException http) {
      sendStatus(ctx, http.getStatusCode());
    } else if (failure == null) {
      sendStatus(ctx, ctx.statusCode());
    } else {
      LOG.error("Unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
      send(ctx, 500, "InternalError", "The agent failed unexpectedly; the error is in its log.", null);
    }
  }

  /** For statuses the router produces itself: 404 no route, 405 wrong method, 413 body too large. */
  public static void sendStatus(RoutingContext ctx, int status) {
    switch (status) {
      case 404 -> send(ctx, 404, "NotFound", "No such resource: " + ctx.request().path(), null);
      case 405 -> send(ctx, 405, "MethodNotAllowed", ctx.request().method() + " is not allowed here.", null);
      case 413 -> send(ctx, 413, "BodyTooLarge", "The request body is larger than 1 MiB.", "body");
      case 415 -> send(ctx, 415, "UnsupportedMediaType", "Send the body as application/json.", "body");
      default -> send(ctx, status < 400 ? 500 : status, status < 500 ? "BadRequest" : "InternalError",
        "The request failed with status " + status + ".", null);
    }
  }

  private static void send(RoutingContext ctx, int status, String code, String message, String target) {
    render(ctx.request(), status, code, message, target);
  }

  /** The envelope, for a request the router never saw. */
  static void render(HttpServerRequest request, int status, String code, String message, String target) {
    // The token check pauses the request; a refused one must still drain, or its sender waits forever.
    if (!request.isEnded()) {
      request.resume();
    }
    JsonObject error = new JsonObject().put("code", code).put("message", message).put("target", target);
    HttpServerResponse response = request.response();
    // An unauthenticated caller gets nothing more from this connection: not the time to send a slow body.
    boolean close = status == 401 && request.version() != HttpVersion.HTTP_2;
    if (status == 401) {
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    if (close) {
      response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    response
      .setStatusCode(status)
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end(new JsonObject().put("error", error).toBuffer())
      .onComplete(sent -> {
        if (close) {
          request.connection().close();
        }
      });
  }
}
