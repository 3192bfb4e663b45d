package io.fleetjobs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.fleetjobs.server.testsupport.ShadedJarAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
  private static final Duration PATIENCE = Duration.ofSeconds(180);

  @Test
  void json_logs_are_one_object_per_line_and_carry_the_ids_of_what_they_are_about() throws Exception {
    ShadedJarAgent agent = ShadedJarAgent.start("fleetjobs-json-logs", true, Map.of("FLEETJOBS_LOG_FORMAT", "json"));
    try {
      JsonObject banner = await(agent, event -> event.containsKey("adminToken") || event.containsKey("notJson"));
      String token = banner.getString("adminToken");
      assertNotNull(token, "the banner is a JSON line too: " + banner.encode());
      String jobDatabase = banner.getString("jobDatabase");
      String serverName = jobDatabase.substring(jobDatabase.indexOf('@') + 1, jobDatabase.lastIndexOf('/'));
      String password = Files.readString(agent.workDir().resolve("fleetjobs-data").resolve("postgres.password"))
        .trim();

      HttpClient http = HttpClient.newHttpClient();
      String api = agent.baseUrl() + "/api/v1";
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

      JsonObject failed = await(agent, event -> execution.equals(event.getString("jobExecutionId"))
        && "Failed".equals(event.getString("lifecycle")));
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
      agent.close();
    }
    List<String> lines = agent.lines();
    assertTrue(lines.size() > 3, "the agent logged: " + lines);
    for (String line : lines) {
      JsonObject event = new JsonObject(line);
      for (String field : List.of("time", "level", "logger", "message")) {
        assertNotNull(event.getValue(field), field + " in " + line);
      }
    }
  }

  private static JsonObject await(ShadedJarAgent agent, Predicate<JsonObject> wanted) throws InterruptedException {
    return agent.awaitLine(line -> wanted.test(event(line)), PATIENCE)
      .map(JsonLogsIT::event)
      .orElseThrow(() -> new AssertionError("no such line in: " + String.join("\n", agent.lines())));
  }

  private static JsonObject event(String line) {
    try {
      return new JsonObject(line);
    } catch (RuntimeException notJson) {
      return new JsonObject().put("notJson", line);
    }
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
