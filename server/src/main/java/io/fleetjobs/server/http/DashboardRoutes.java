package io.fleetjobs.server.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The dashboard: the webapp module's pages at / and the WebJars it loads at /webjars/, both from the
 * classpath. Every response says the page may only load code and data from this agent, so a hostile
 * object name rendered by mistake still cannot pull in or send anything elsewhere.
 */
final class DashboardRoutes {
  private static final String SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; "
    + "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
  /** A WebJar's path carries its version, so a file under it never changes. */
  private static final long WEBJAR_MAX_AGE_SECONDS = 365L * 24 * 3600;

  private DashboardRoutes() {
  }

  static void mount(Router root) {
    root.route("/webjars/*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(StaticHandler.create("META-INF/resources/webjars")
      .setMaxAgeSeconds(WEBJAR_MAX_AGE_SECONDS));
    root.route("/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
      .handler(ctx -> {
        ctx.response()
          .putHeader("Content-Security-Policy", SECURITY_POLICY)
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Referrer-Policy", "no-referrer");
        ctx.next();
      })
      // The pages change with each release under the same names: the browser revalidates them every time.
      .handler(StaticHandler.create("webroot").setMaxAgeSeconds(0));
  }
}
