package io.fleetjobs.server.http;

import io.fleetjobs.server.db.Page;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** What a handler answers: a status, an optional JSON body and an optional Location. */
public record Reply(int status, JsonObject body, String location) {

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
}
