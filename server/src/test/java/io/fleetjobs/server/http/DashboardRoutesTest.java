package io.fleetjobs.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dashboard and its libraries come from the agent itself, with a policy that keeps the page to it. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class DashboardRoutesTest {
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("dashboard_routes");

  @Test
  void the_dashboard_is_served_at_the_root_without_a_token_and_kept_to_this_origin() {
    HttpResponse<Buffer> page = agent.anonymous().raw(HttpMethod.GET, "/", null);
    assertEquals(200, page.statusCode());
    assertTrue(page.getHeader("Content-Type").startsWith("text/html"), page.getHeader("Content-Type"));
    assertTrue(page.bodyAsString().contains("<main"), page.bodyAsString());
    assertTrue(page.getHeader("Content-Security-Policy").contains("default-src 'self'"));
    assertEquals("nosniff", page.getHeader("X-Content-Type-Options"));
  }

  @Test
  void the_charting_and_diff_libraries_come_from_their_webjars() {
    HttpResponse<Buffer> chart = agent.anonymous().raw(HttpMethod.GET, "/webjars/chart.js/4.5.1/dist/chart.umd.min.js", null);
    assertEquals(200, chart.statusCode());
    assertTrue(chart.bodyAsString().contains("Chart"), "the real Chart.js");
    assertTrue(chart.getHeader("Cache-Control").contains("max-age=31536000"), chart.getHeader("Cache-Control"));
    HttpResponse<Buffer> diff = agent.anonymous().raw(HttpMethod.GET, "/webjars/diff/5.1.0/lib/index.mjs", null);
    assertEquals(200, diff.statusCode());
    assertTrue(diff.getHeader("Content-Type").contains("javascript"), "an ES module must be served as JavaScript: "
      + diff.getHeader("Content-Type"));
    assertEquals(404, agent.anonymous().raw(HttpMethod.GET, "/webjars/../META-INF/MANIFEST.MF", null).statusCode());
  }
}
