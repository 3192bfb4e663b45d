package io.fleetjobs.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.ApiClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A URL that is not well formed (a broken percent escape, bytes that are not UTF-8) is a caller's mistake:
 * a 400 in the JSON envelope, before any token is looked at, and at most a short log line now and then.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MalformedUrlTest {
  private static final List<String> LISTS = List.of("/credentials", "/targetGroups", "/jobs", "/executions",
    "/alertRules", "/actionGroups", "/alertProcessingRules", "/alerts", "/alerts/notifications", "/jobs/job/executions");

  private static AgentFixture agent;
  private static ApiClient reader;
  private static ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start(Vertx vertx) {
    agent = AgentFixture.start(vertx, "malformed_url");
    agent.admin().put("/jobs/job", new JsonObject());
    reader = agent.as("reader");
    logs = new ListAppender<>();
    logs.start();
    root().addAppender(logs);
  }

  @AfterAll
  static void stop() {
    root().detachAppender(logs);
    agent.close();
  }

  @Test
  void a_broken_escape_in_the_query_is_a_400_on_every_list() {
    List<String> failures = new ArrayList<>();
    for (String list : LISTS) {
      for (String query : List.of("?a=%ZZ", "?$top=%", "?$skip=1%2", "?a=%FF")) {
        HttpResponse<Buffer> response = reader.get(list + query);
        String error = envelope(response);
        if (response.statusCode() != 400 || error == null) {
          failures.add(list + query + ": " + response.statusCode() + " " + response.bodyAsString());
        } else if (!"query".equals(error)) {
          failures.add(list + query + ": target " + error);
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void a_broken_escape_in_the_path_is_a_400_in_the_envelope_even_without_a_token() {
    for (String path : List.of("/api/v1/x%ZZ", "/api/v1/jobs/%", "/api/v1/jobs/%C3%28", "/x%ZZ", "/health/%zz")) {
      HttpResponse<Buffer> response = agent.anonymous().raw(HttpMethod.GET, path, null);
      assertEquals(400, response.statusCode(), path + ": " + response.bodyAsString());
      assertEquals("application/json", response.getHeader("Content-Type"), path);
      assertEquals("path", envelope(response), path);
    }
  }

  @Test
  void an_encoded_percent_sign_in_a_query_value_is_decoded_once() {
    // It was decoded twice: %25s became %s, and then a broken escape and a 500.
    for (String query : List.of("?alertRule=%25s%25n%25x", "?alertRule=%2541", "?alertRule=a%2Bb")) {
      HttpResponse<Buffer> response = reader.get("/alerts" + query);
      assertEquals(200, response.statusCode(), query + ": " + response.bodyAsString());
    }
  }

  @Test
  void a_flood_of_bad_urls_adds_at_most_a_short_line_now_and_then() {
    logs.list.clear();
    for (int i = 0; i < 100; i++) {
      assertEquals(400, agent.anonymous().get("/x%ZZ").statusCode());
    }
    List<ILoggingEvent> lines = List.copyOf(logs.list);
    assertTrue(lines.size() <= 2, "log lines: " + lines.stream().map(ILoggingEvent::getFormattedMessage).toList());
    for (ILoggingEvent line : lines) {
      assertNull(line.getThrowableProxy(), "no stack trace: " + line.getFormattedMessage());
      assertTrue(line.getFormattedMessage().length() < 300, line.getFormattedMessage());
    }
  }

  /** @return the error's target, or null when the body is not the JSON error envelope */
  private static String envelope(HttpResponse<Buffer> response) {
    try {
      JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
      assertNotNull(error.getString("message"));
      return error.getString("target");
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
