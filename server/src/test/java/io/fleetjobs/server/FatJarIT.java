package io.fleetjobs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
    Path jar = Path.of("target", "fleetjobs.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "package builds " + jar);
    Path workDir = Files.createTempDirectory("fleetjobs-jar");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-jar", jar.toString())
      .directory(workDir.toFile())
      .redirectErrorStream(true);
    command.environment().put("FLEETJOBS_HTTP_PORT", Integer.toString(port));
    command.environment().put("FLEETJOBS_HTTP_HOST", "127.0.0.1");
    Process agent = command.start();
    BlockingQueue<String> output = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(agent.getInputStream(),
        StandardCharsets.UTF_8))) {
        lines.lines().forEach(output::add);
      } catch (Exception ignored) {
        // The process ended.
      }
    });
    reader.start();
    try {
      StringBuilder seen = new StringBuilder();
      String token = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (token == null && System.nanoTime() < deadline && agent.isAlive()) {
        String line = output.poll(200, TimeUnit.MILLISECONDS);
        if (line != null) {
          seen.append(line).append('\n');
          if (line.contains("Admin token:")) {
            token = line.substring(line.indexOf("Admin token:") + "Admin token:".length()).trim();
          }
        }
      }
      assertTrue(token != null && token.startsWith("fjt_"), "the first start prints the admin token:\n" + seen);

      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port;
      assertEquals(200, get(http, base + "/health/ready", null).statusCode());
      HttpResponse<String> me = get(http, base + "/api/v1/me", token);
      assertEquals(200, me.statusCode(), me.body());
      assertTrue(me.body().contains("\"admin\""), me.body());
      assertTrue(get(http, base + "/", null).body().contains("<main"), "the dashboard is in the jar");
      assertEquals(200, get(http, base + "/webjars/chart.js/4.5.1/dist/chart.umd.min.js", null).statusCode(),
        "and so are its WebJars");
      assertTrue(Files.isDirectory(workDir.resolve("fleetjobs-data").resolve("postgres")),
        "the job database keeps its data on disk, in ./fleetjobs-data");
    } finally {
      agent.destroy();
      assertTrue(agent.waitFor(60, TimeUnit.SECONDS), "the agent stops on SIGTERM");
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
