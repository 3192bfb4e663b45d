package io.fleetjobs.server.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CredentialsApiTest {
  private static final String PASSWORD = "Pa55-w0rd-that-must-never-leak";
  private static AgentFixture agent;
  private static ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start(Vertx vertx) {
    // Capture everything, at DEBUG, from before the agent starts: no line may carry the password.
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.DEBUG);
    logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    agent = AgentFixture.start(vertx, "credentials");
  }

  @AfterAll
  static void stop() {
    agent.close();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(logs);
    root.setLevel(Level.INFO);
  }

  @Test
  void create_read_replace_delete() {
    HttpResponse<Buffer> created = agent.admin().put("/credentials/crud", credential("alice", PASSWORD));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    assertEquals("alice", created.bodyAsJsonObject().getString("username"));
    assertEquals("crud", created.bodyAsJsonObject().getString("name"));

    HttpResponse<Buffer> replaced = agent.admin().put("/credentials/crud", credential("bob", PASSWORD + "2"));
    assertEquals(200, replaced.statusCode());
    assertEquals("bob", agent.admin().get("/credentials/crud").bodyAsJsonObject().getString("username"));

    JsonArray listed = agent.admin().get("/credentials").bodyAsJsonObject().getJsonArray("value");
    assertTrue(listed.stream().anyMatch(c -> ((JsonObject) c).getString("name").equals("crud")));

    assertEquals(204, agent.admin().delete("/credentials/crud").statusCode());
    HttpResponse<Buffer> gone = agent.admin().get("/credentials/crud");
    assertEquals(404, gone.statusCode());
    assertEquals("NotFound", gone.bodyAsJsonObject().getJsonObject("error").getString("code"));
  }

  @Test
  void password_is_write_only_sealed_at_rest_and_never_logged() throws Exception {
    List<String> bodies = new ArrayList<>();
    bodies.add(agent.admin().put("/credentials/secret", credential("carol", PASSWORD)).bodyAsString());
    bodies.add(agent.admin().put("/credentials/secret", credential("carol", PASSWORD)).bodyAsString());
    bodies.add(agent.admin().get("/credentials/secret").bodyAsString());
    bodies.add(agent.admin().get("/credentials").bodyAsString());
    // A refused request must not echo the secret either.
    bodies.add(agent.admin().put("/credentials/secret", credential("carol", PASSWORD).put("extra", true)).bodyAsString());
    bodies.add(agent.admin().put("/credentials/" + "x".repeat(200), credential("carol", PASSWORD)).bodyAsString());
    bodies.forEach(body -> assertFalse(body.contains(PASSWORD), body));
    bodies.forEach(body -> assertFalse(body.contains("password"), body));

    try (Connection db = agent.jdbc();
         PreparedStatement query = db.prepareStatement(
           "SELECT password_sealed FROM jobs_internal.credentials WHERE credential_name = 'secret'");
         ResultSet row = query.executeQuery()) {
      assertTrue(row.next());
      byte[] stored = row.getBytes(1);
      String asText = new String(stored, StandardCharsets.ISO_8859_1);
      assertFalse(asText.contains(PASSWORD));
      assertNotEquals(PASSWORD.length(), stored.length, "sealed bytes carry a nonce and a tag");
    }

    for (ILoggingEvent event : logs.list) {
      String line = event.getFormattedMessage()
        + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
      assertFalse(line.contains(PASSWORD), "a log line carries the password: " + line);
    }
    assertFalse(logs.list.isEmpty(), "the capture saw the agent's log lines");
  }

  @Test
  void credential_used_by_a_step_cannot_be_deleted_and_the_refusal_names_the_step() {
    agent.admin().put("/credentials/in-use", credential("dave", PASSWORD));
    agent.admin().put("/targetGroups/in-use-group", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlDatabase").put("serverName", "localhost").put("databaseName", "d1"))));
    agent.admin().put("/jobs/in-use-job", new JsonObject());
    HttpResponse<Buffer> step = agent.admin().put("/jobs/in-use-job/steps/uses-it", new JsonObject()
      .put("targetGroup", "in-use-group")
      .put("credential", "in-use")
      .put("action", new JsonObject().put("value", "SELECT 1")));
    assertEquals(201, step.statusCode(), step.bodyAsString());

    HttpResponse<Buffer> refused = agent.admin().delete("/credentials/in-use");
    assertEquals(409, refused.statusCode());
    JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
    assertEquals("Conflict", error.getString("code"));
    assertEquals("name", error.getString("target"));
    assertTrue(error.getString("message").contains("uses-it"), error.getString("message"));
    assertEquals(200, agent.admin().get("/credentials/in-use").statusCode());
  }

  @Test
  void refresh_credential_of_a_member_cannot_be_deleted() {
    agent.admin().put("/credentials/refresher", credential("erin", PASSWORD));
    HttpResponse<Buffer> group = agent.admin().put("/targetGroups/refreshed", new JsonObject().put("members",
      new JsonArray().add(new JsonObject().put("type", "SqlServer").put("serverName", "localhost:5432")
        .put("refreshCredential", "refresher"))));
    assertEquals(201, group.statusCode(), group.bodyAsString());

    HttpResponse<Buffer> refused = agent.admin().delete("/credentials/refresher");
    assertEquals(409, refused.statusCode());
    assertTrue(refused.bodyAsString().contains("refreshed"), refused.bodyAsString());
  }

  private static JsonObject credential(String username, String password) {
    return new JsonObject().put("username", username).put("password", password);
  }
}
