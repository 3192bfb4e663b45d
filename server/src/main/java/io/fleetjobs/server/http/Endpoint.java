package io.fleetjobs.server.http;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.db.Page;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/** Adapts a Future-returning handler to a route: sends its reply, or fails the context with named fields. */
public final class Endpoint {
  private static final int DEFAULT_TOP = 100;
  private Endpoint() {
  }

  public static Handler<RoutingContext> of(FieldNames fields, Function<RoutingContext, Future<Reply>> handler) {
    return ctx -> {
      Future<Reply> reply;
      try {
        reply = handler.apply(ctx);
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onSuccess(r -> send(ctx, r)).onFailure(e -> ctx.fail(fields.rename(e)));
    };
  }

  static void send(RoutingContext ctx, Reply reply) {
    ctx.response().setStatusCode(reply.status());
    if (reply.location() != null) {
      ctx.response().putHeader(HttpHeaders.LOCATION, reply.location());
    }
    if (reply.body() == null) {
      ctx.response().end();
    } else if (reply.bulky()) {
      ctx.vertx().executeBlocking(() -> reply.body().toBuffer(), false)
        .onSuccess(body -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body))
        .onFailure(ctx::fail);
    } else {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(reply.body().toBuffer());
    }
  }

  public static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  public static String pathParam(RoutingContext ctx, String name) {
    return validated(ctx).getPathParameters().get(name).getString();
  }

  public static int pathInt(RoutingContext ctx, String name) {
    return validated(ctx).getPathParameters().get(name).getInteger();
  }

  /** The query parameter, or its default from the contract when absent. */
  public static int queryInt(RoutingContext ctx, String name, int defaultValue) {
    RequestParameter value = validated(ctx).getQuery().get(name);
    return value == null || value.isNull() ? defaultValue : value.getInteger();
  }

  /** An optional ISO-8601 query time with an offset, or null. */
  public static Instant queryTime(RoutingContext ctx, String name) {
    RequestParameter value = validated(ctx).getQuery().get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value.getString()).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidInput(name, "'" + value.getString() + "' is not an ISO-8601 date and time with an offset.");
    }
  }

  /** An optional query string, or null. */
  public static String queryString(RoutingContext ctx, String name) {
    RequestParameter value = validated(ctx).getQuery().get(name);
    return value == null || value.isNull() ? null : value.getString();
  }

  /** @param what what the id names, for the error: "a job execution id" */
  public static UUID pathUuid(RoutingContext ctx, String name, String what) {
    String id = pathParam(ctx, name);
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw new InvalidInput(name, "'" + id + "' is not " + what + " (a UUID).");
    }
  }

  public static JsonObject body(RoutingContext ctx) {
    return validated(ctx).getBody().getJsonObject();
  }

  /**
   * A list page for a store that reads {@code limit} rows from {@code offset}: it is asked for one row more
   * than the page, to learn whether a nextLink is due.
   */
  public static <T> Future<Reply> paged(RoutingContext ctx, BiFunction<Integer, Integer, Future<List<T>>> read,
                                        Function<T, JsonObject> toJson) {
    int top = top(ctx);
    int skip = skip(ctx);
    return read.apply(Page.probeLimit(top), skip)
      .map(rows -> Reply.page(ctx, Page.of(rows, top).map(toJson), top, skip));
  }

  public static int top(RoutingContext ctx) {
    return queryInt(ctx, "$top", DEFAULT_TOP);
  }

  public static int skip(RoutingContext ctx) {
    return queryInt(ctx, "$skip", 0);
  }

  /** A body may repeat the resource's name, as Azure's do, but not contradict the URL. */
  public static void requireSameName(JsonObject body, String name) {
    String bodyName = body.getString("name");
    if (bodyName != null && !bodyName.equals(name)) {
      throw new InvalidInput("name", "The body names '" + bodyName + "' but the URL names '" + name + "'.");
    }
  }
}
