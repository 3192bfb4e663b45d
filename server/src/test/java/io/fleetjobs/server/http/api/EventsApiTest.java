package io.fleetjobs.server.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /events: live pages learn of execution changes and the agent's load as they happen. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EventsApiTest {
  /** Put on a stream's queue when the agent ends the stream. */
  private static final String ENDED = "\u0000ended";
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("events_api");
  private static final TargetServer server = agent.targetServer();

  @BeforeAll
  static void setUp() {
    Scenario.on(agent)
      .fleet(server, "events_a", "events_b")
      .credential("job")
      .group("two", "events_a", "events_b")
      .job("live")
      .step("only", "SELECT pg_sleep(1)")
      .create();
  }

  @Test
  void a_reader_sees_the_agent_status_at_once_and_an_execution_through_to_its_end_with_its_counts(Vertx vertx) throws Exception {
    HttpClient client = vertx.createHttpClient();
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    HttpClientResponse response = open(client, agent.as("reader").token(), events).await();
    assertEquals(200, response.statusCode());
    assertTrue(response.getHeader("Content-Type").startsWith("text/event-stream"), response.getHeader("Content-Type"));
    
    JsonObject status = data(awaitEvent(events, "agent", body -> true, Duration.ofSeconds(5)));
    assertEquals("JA100", status.getJsonObject("sku").getString("name"));

    String id = new Executions(agent.admin()).start("live");
    JsonObject running = data(awaitEvent(events, "execution", body -> body.contains(id), Duration.ofSeconds(5)));
    assertEquals("live", running.getString("jobName"));
    JsonObject ended = data(awaitEvent(events, "execution",
      body -> body.contains(id) && body.contains("\"Succeeded\""), Duration.ofSeconds(20)));
    assertEquals(false, ended.getBoolean("isActive"));
    JsonObject counted = ended.getJsonObject("summary").getJsonObject("targets");
    assertEquals(2, counted.getInteger("total"), "the event counts the targets, so the page does not: " + ended);
    assertEquals(2, counted.getInteger("done"));
    assertEquals(2, counted.getInteger("succeeded"));
    assertEquals("only", ended.getJsonObject("summary").getJsonArray("steps").getJsonObject(0).getString("stepName"));
    client.close().await();
  }

  @Test
  void a_revoked_token_loses_its_stream_within_a_tick_while_other_streams_go_on(Vertx vertx) throws Exception {
    HttpClient client = vertx.createHttpClient();
    String secret = agent.admin().post("/tokens", new JsonObject().put("name", "revoked-reader").put("role", "reader"))
      .bodyAsJsonObject().getString("token");
    BlockingQueue<String> revoked = new LinkedBlockingQueue<>();
    BlockingQueue<String> kept = new LinkedBlockingQueue<>();
    assertEquals(200, open(client, secret, revoked).await().statusCode());
    assertEquals(200, open(client, agent.as("reader").token(), kept).await().statusCode());
    awaitEvent(revoked, "agent", body -> true, Duration.ofSeconds(5));
    awaitEvent(kept, "agent", body -> true, Duration.ofSeconds(5));

    assertEquals(204, agent.admin().delete("/tokens/revoked-reader").statusCode());
    long revokedAt = System.nanoTime();
    awaitEnd(revoked, Duration.ofSeconds(8));
    assertTrue(System.nanoTime() - revokedAt < TimeUnit.SECONDS.toNanos(8));
    kept.clear();
    awaitEvent(kept, "agent", body -> true, Duration.ofSeconds(8));
    client.close().await();
  }

  @Test
  void the_stream_needs_a_token() {
    assertEquals(401, agent.anonymous().get("/events").statusCode());
  }

  private static Future<HttpClientResponse> open(HttpClient client, String token, BlockingQueue<String> events) {
    return client.request(new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost("127.0.0.1")
        .setPort(agent.port())
        .setURI("/api/v1/events")
        .putHeader("Authorization", "Bearer " + token))
      // The handler is set on the event loop as the response arrives, so no early chunk is missed.
      .compose(request -> request.send())
      .onSuccess(response -> response
        .handler(chunk -> events.add(chunk.toString()))
        .endHandler(end -> events.add(ENDED)));
  }

  private static void awaitEnd(BlockingQueue<String> chunks, Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < deadline) {
      if (ENDED.equals(chunks.poll(100, TimeUnit.MILLISECONDS))) {
        return;
      }
    }
    throw new AssertionError("The stream was still open after " + patience);
  }

  /** Reads chunks until one holds the event; SSE frames may arrive split or several to a chunk. */
  private static String awaitEvent(BlockingQueue<String> chunks, String name, Predicate<String> match,
                                   Duration patience) throws InterruptedException {
    StringBuilder stream = new StringBuilder();
    long deadline = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < deadline) {
      String chunk = chunks.poll(100, TimeUnit.MILLISECONDS);
      if (chunk != null) {
        stream.append(chunk);
      }
      int end;
      while ((end = stream.indexOf("\n\n")) >= 0) {
        String frame = stream.substring(0, end);
        stream.delete(0, end + 2);
        List<String> lines = frame.lines().toList();
        if (lines.contains("event: " + name) && match.test(frame)) {
          return frame;
        }
      }
    }
    throw new AssertionError("No '" + name + "' event within " + patience + "; unread: " + stream);
  }

  private static JsonObject data(String frame) {
    return new JsonObject(frame.lines().filter(line -> line.startsWith("data: ")).findFirst().orElseThrow()
      .substring("data: ".length()));
  }
}
