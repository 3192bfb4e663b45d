package io.fleetjobs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * FLEETJOBS_LOG_FORMAT=json as a log shipper reads it: the shaded jar on its embedded default, every line of its
 * stdout a JSON object with time, level, logger and message, the banner included, and a failed target's line with
 * the ids of its job, step, target and execution. The job runs on the embedded job database itself, a real target.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class JsonLogsIT {
  private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(180);

  @Test
  void json_logs_are_one_object_per_line_and_carry_the_ids_of_what_they_are_about() throws Exception {
    Path jar = Path.of("target", "fleetjobs.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "package builds " + jar);
    Path workDir = Files.createTempDirectory("fleetjobs-json-logs");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-jar", jar.toString())
      .directory(workDir.toFile())
      .redirectError(workDir.resolve("stderr.txt").toFile());
    command.environment().put("FLEETJOBS_HTTP_PORT", Integer.toString(port));
    command.environment().put("FLEETJOBS_HTTP_HOST", "127.0.0.1");
    command.environment().put("FLEETJOBS_LOG_FORMAT", "json");
    Process agent = command.start();
    List<String> lines = new CopyOnWriteArrayList<>();
    BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(),
        StandardCharsets.UTF_8))) {
        out.lines().forEach(line -> {
          lines.add(line);
          try {
            events.add(new JsonObject(line));
          } catch (RuntimeException notJson) {
            events.add(new JsonObject().put("notJson", line));
          }
        });
      } catch (Exception ignored) {
        // The process ended.
      }
    });
    reader.start();
    try {
      JsonObject banner = await(events, event -> event.containsKey("adminToken") || event.containsKey("notJson"),
        lines);
      String token = banner.getString("adminToken");
      assertNotNull(token, "the banner is a JSON line too: " + banner.encode());
      String jobDatabase = banner.getString("jobDatabase");
      String serverName = jobDatabase.substring(jobDatabase.indexOf('@') + 1, jobDatabase.lastIndexOf('/'));
      String password = Files.readString(workDir.resolve("fleetjobs-data").resolve("postgres.password")).trim();

      HttpClient http = HttpClient.newHttpClient();
      String api = "http://127.0.0.1:" + port + "/api/v1";
      send(http, "PUT", api + "/credentials/self", token, new JsonObject().put("username", "postgres")
        .put("password", password));
      send(http, "PUT", api + "/targetGroups/self", token, new JsonObject().put("members", new JsonArray()
        .add(new JsonObject().put("type", "SqlDatabase").put("serverName", serverName)
          .put("databaseName", "fleetjobs"))));
      send(http, "PUT", api + "/jobs/logged", token, new JsonObject());
      send(http, "PUT", api + "/jobs/logged/steps/divide", token, new JsonObject().put("targetGroup", "self")
        .put("credential", "self").put("action", new JsonObject().put("value", "SELECT 1/0"))
        .put("executionOptions", new JsonObject().put("retryAttempts", 0)));
      String execution = new JsonObject(send(http, "POST", api + "/jobs/logged/start", token, null))
        .getString("jobExecutionId");

      JsonObject failed = await(events, event -> execution.equals(event.getString("jobExecutionId"))
        && "Failed".equals(event.getString("lifecycle")), lines);
      assertEquals("INFO", failed.getString("level"));
      assertEquals("io.fleetjobs.server.logging.TargetOutcomeLog", failed.getString("logger"));
      assertEquals("logged", failed.getString("jobName"));
      assertEquals(1, failed.getInteger("stepId"));
      assertEquals("divide", failed.getString("stepName"));
      assertEquals(serverName, failed.getString("targetServer"));
      assertEquals("fleetjobs", failed.getString("targetDatabase"));
      assertNotNull(failed.getString("targetExecutionId"));
      assertTrue(failed.getString("message").contains("ended Failed"), failed.encode());
      assertTrue(failed.getString("time").endsWith("Z"), "UTC: " + failed.getString("time"));
    } finally {
      agent.destroy();
      assertTrue(agent.waitFor(60, TimeUnit.SECONDS), "the agent stops on SIGTERM");
      reader.join(5000);
    }
    assertTrue(lines.size() > 3, "the agent logged: " + lines);
    for (String line : lines) {
      JsonObject event = new JsonObject(line);
      for (String field : List.of("time", "level", "logger", "message")) {
        assertNotNull(event.getValue(field), field + " in " + line);
      }
    }
  }

  private static JsonObject await(BlockingQueue<JsonObject> events, Predicate<JsonObject> wanted, List<String> seen)
    throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE_NANOS;
    while (System.nanoTime() < deadline) {
      JsonObject event = events.poll(200, TimeUnit.MILLISECONDS);
      if (event != null && wanted.test(event)) {
        return event;
      }
    }
    throw new AssertionError("no such line in: " + String.join("\n", seen));
  }

  private static String send(HttpClient http, String method, String url, String token, JsonObject body)
    throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body.encode()))
      .header("Authorization", "Bearer " + token)
      .header("Content-Type", "application/json")
      .build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(response.statusCode() < 300, method + " " + url + ": " + response.body());
    return response.body();
  }
}
