package io.fleetjobs.server.http;

import io.fleetjobs.server.db.Page;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a handler answers: a status, an optional JSON body and an optional Location. A bulky body (thousands of
 * entries) is encoded on a worker, not on the event loop.
 */
public record Reply(int status, JsonObject body, String location, boolean bulky) {

  public Reply(int status, JsonObject body, String location) {
    this(status, body, location, false);
  }

  /** This reply, its body encoded on a worker: for bodies of fleet size, such as a preview of 10,000 targets. */
  public Reply asBulky() {
    return new Reply(status, body, location, true);
  }

  public static Reply ok(JsonObject body) {
    return new Reply(200, body, null);
  }

  public static Reply noContent() {
    return new Reply(204, null, null);
  }

  /** 201 for a PUT that created, 200 for one that replaced, as Azure answers. */
  public static Reply saved(boolean created, JsonObject body) {
    return new Reply(created ? 201 : 200, body, null);
  }

  /** An Azure-shaped list: {"value": [...], "nextLink": null}. */
  public static Reply list(List<JsonObject> items) {
    return ok(new JsonObject().put("value", new JsonArray(items)).putNull("nextLink"));
  }

  /** A list page whose nextLink, when more rows follow, is this request's URL moved on by $top. */
  public static Reply page(RoutingContext ctx, Page<JsonObject> page, int top, int skip) {
    JsonObject body = new JsonObject().put("value", new JsonArray(page.items()));
    if (page.hasMore()) {
      String uri = ctx.request().absoluteURI();
      int query = uri.indexOf('?');
      String base = query < 0 ? uri : uri.substring(0, query);
      body.put("nextLink", base + "?$top=" + top + "&$skip=" + (skip + top));
    } else {
      body.putNull("nextLink");
    }
    return ok(body);
  }

  /**
   * A filtered list page with how many items match in all ({@code count}); its nextLink keeps the request's
   * filters, so following it pages through the same list.
   */
  public static Reply counted(RoutingContext ctx, Page<JsonObject> page, int top, int skip, long count) {
    JsonObject body = new JsonObject().put("value", new JsonArray(page.items())).put("count", count);
    body.put("nextLink", page.hasMore() ? nextLink(ctx, top, skip + top) : null);
    return ok(body);
  }

  /**
   * A counted page that can also be continued by a cursor: {@code nextSkipToken} is the token of the next page
   * (null on the last), the fast path to deep pages. Its nextLink follows the request: with $skip while the
   * caller pages by $skip, with $skipToken once it pages by token.
   */
  public static Reply counted(RoutingContext ctx, Page<JsonObject> page, int top, int skip, long count,
                              String skipToken, boolean byToken) {
    JsonObject body = new JsonObject().put("value", new JsonArray(page.items())).put("count", count);
    String next = null;
    if (page.hasMore()) {
      next = byToken ? link(ctx, "?$top=" + top + "&$skipToken=" + encode(skipToken)) : nextLink(ctx, top, skip + top);
    }
    body.put("nextLink", next);
    body.put("nextSkipToken", page.hasMore() ? skipToken : null);
    return ok(body);
  }

  private static String nextLink(RoutingContext ctx, int top, int skip) {
    return link(ctx, "?$top=" + top + "&$skip=" + skip);
  }

  /** This request's URL with its other parameters, after the given paging ones. */
  private static String link(RoutingContext ctx, String paging) {
    String uri = ctx.request().absoluteURI();
    int query = uri.indexOf('?');
    StringBuilder link = new StringBuilder(query < 0 ? uri : uri.substring(0, query)).append(paging);
    ctx.queryParams().forEach((name, value) -> {
      if (!name.equals("$top") && !name.equals("$skip") && !name.equals("$skipToken")) {
        link.append('&').append(encode(name)).append('=').append(encode(value));
      }
    });
    return link.toString();
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
