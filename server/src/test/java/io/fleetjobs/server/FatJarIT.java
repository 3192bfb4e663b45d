package io.fleetjobs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.ShadedJarAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's first command, as a user runs it: the shaded jar, in an empty directory, on its embedded
 * default job database. Classes missing from the jar (a dependency scoped to tests by mistake) show only
 * here, since every other test runs on Maven's classpath.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FatJarIT {

  @Test
  void the_jar_starts_on_its_embedded_default_and_serves_the_api_and_the_dashboard() throws Exception {
    ShadedJarAgent agent = ShadedJarAgent.start("fleetjobs-jar", false, Map.of());
    try {
      String token = agent.awaitLine(line -> line.contains("Admin token:"), Duration.ofSeconds(120))
        .map(line -> line.substring(line.indexOf("Admin token:") + "Admin token:".length()).trim())
        .orElse(null);
      assertTrue(token != null && token.startsWith("fjt_"),
        "the first start prints the admin token:\n" + String.join("\n", agent.lines()));

      HttpClient http = HttpClient.newHttpClient();
      String base = agent.baseUrl();
      assertEquals(200, get(http, base + "/health/ready", null).statusCode());
      HttpResponse<String> me = get(http, base + "/api/v1/me", token);
      assertEquals(200, me.statusCode(), me.body());
      assertTrue(me.body().contains("\"admin\""), me.body());
      assertTrue(get(http, base + "/", null).body().contains("<main"), "the dashboard is in the jar");
      assertEquals(200, get(http, base + "/webjars/chart.js/4.5.1/dist/chart.umd.min.js", null).statusCode(),
        "and so are its WebJars");
      assertTrue(Files.isDirectory(agent.workDir().resolve("fleetjobs-data").resolve("postgres")),
        "the job database keeps its data on disk, in ./fleetjobs-data");
    } finally {
      agent.close();
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
