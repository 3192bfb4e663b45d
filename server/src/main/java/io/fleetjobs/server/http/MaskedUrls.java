package io.fleetjobs.server.http;

import io.fleetjobs.server.tokens.AccessToken;
import io.fleetjobs.server.tokens.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Webhook URLs often carry their secret in the query ({@code ?token=...}), the user-info or the fragment. Only
 * an admin, who may write them anyway, sees them whole; for every other role each query value, the user-info
 * and the fragment become {@value #MASK} wherever a URL is shown: action groups ({@code serviceUri}), test
 * results and the delivery log ({@code address}). Scheme, host, port and path stay, so a reader can still
 * tell the destinations apart.
 */
public final class MaskedUrls {
  static final String MASK = "***";
  private static final Set<String> URL_FIELDS = Set.of("serviceUri", "address");

  private MaskedUrls() {
  }

  /** The reply as the caller may see it. */
  public static Reply forCaller(RoutingContext ctx, Reply reply) {
    AccessToken caller = BearerTokenHandler.caller(ctx);
    if (reply.body() == null || caller != null && caller.role().covers(Role.ADMIN)) {
      return reply;
    }
    return new Reply(reply.status(), (JsonObject) masked(reply.body().copy()), reply.location(), reply.bulky());
  }

  private static Object masked(Object json) {
    if (json instanceof JsonObject object) {
      for (String field : object.fieldNames()) {
        Object value = object.getValue(field);
        object.put(field, URL_FIELDS.contains(field) && value instanceof String text ? mask(text) : masked(value));
      }
    } else if (json instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, masked(array.getValue(i)));
      }
    }
    return json;
  }

  /** An http(s) URL without its secrets; anything else (an email address) as it is. */
  static String mask(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return text.regionMatches(true, 0, "http", 0, 4) ? MASK : text;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getRawAuthority() == null) {
      return text;
    }
    String authority = uri.getRawAuthority();
    StringBuilder shown = new StringBuilder(uri.getScheme()).append("://");
    int at = authority.lastIndexOf('@');
    shown.append(at < 0 ? authority : MASK + authority.substring(at));
    shown.append(uri.getRawPath() == null ? "" : uri.getRawPath());
    if (uri.getRawQuery() != null) {
      shown.append('?').append(maskedQuery(uri.getRawQuery()));
    }
    if (uri.getRawFragment() != null) {
      shown.append('#').append(MASK);
    }
    return shown.toString();
  }

  /** Names stay, values go; a part without '=' may be a bare secret, so it goes whole. */
  private static String maskedQuery(String query) {
    StringBuilder shown = new StringBuilder();
    for (String part : query.split("&", -1)) {
      if (shown.length() > 0) {
        shown.append('&');
      }
      int equals = part.indexOf('=');
      shown.append(equals < 0 ? MASK : part.substring(0, equals + 1) + MASK);
    }
    return shown.toString();
  }
}
