package io.fleetjobs.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A write the job database stops before it finishes (its statement timeout, or a cancel) is a 503 that says
 * nothing was saved, and nothing was: never a 500, never half a group.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StoppedWritesTest {
  private static AgentFixture agent;
  private static WebClient client;

  @BeforeAll
  static void start(Vertx vertx) {
    agent = AgentFixture.start(vertx, "stopped_writes");
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() {
    agent.close();
  }

  @Test
  void a_stopped_group_save_is_a_503_and_leaves_the_group_as_it_was() throws Exception {
    assertEquals(201, agent.admin().put("/targetGroups/kept", group(1)).statusCode());
    try (Connection db = agent.jdbc(); Statement sql = db.createStatement();
         Connection watcher = agent.jdbc(); Statement watch = watcher.createStatement()) {
      db.setAutoCommit(false);
      // Holds every member write back, so the saves below are still running when they are stopped.
      sql.execute("LOCK TABLE jobs_internal.target_group_members IN SHARE MODE");

      for (String name : new String[] {"kept", "fresh"}) {
        Future<HttpResponse<Buffer>> save = client.put(agent.port(), "127.0.0.1", "/api/v1/targetGroups/" + name)
          .bearerTokenAuthentication(AgentFixture.ADMIN_TOKEN)
          .sendJsonObject(group(3));
        cancelTheWaitingSave(watch);
        HttpResponse<Buffer> response = save.await();

        assertEquals(503, response.statusCode(), response.bodyAsString());
        JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
        assertEquals("ServiceUnavailable", error.getString("code"));
        assertTrue(error.getString("message").contains("nothing was saved"), error.getString("message"));
      }
      db.rollback();
    }
    JsonArray members = agent.admin().get("/targetGroups/kept").bodyAsJsonObject().getJsonArray("members");
    assertEquals(1, members.size(), "the group keeps what it had: " + members);
    assertEquals(404, agent.admin().get("/targetGroups/fresh").statusCode(), "no half-made group");
  }

  /**
   * Cancels the save waiting on the lock, as its statement timeout would: both are SQLSTATE 57014. Polls in
   * autocommit, since a transaction sees one snapshot of pg_stat_activity.
   */
  private static void cancelTheWaitingSave(Statement sql) throws Exception {
    for (int i = 0; i < 600; i++) {
      try (ResultSet rows = sql.executeQuery("SELECT pg_cancel_backend(pid) FROM pg_stat_activity"
        + " WHERE wait_event_type = 'Lock' AND query LIKE '%save_target_group%'")) {
        if (rows.next()) {
          return;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the save never waited on the lock");
  }

  private static JsonObject group(int members) {
    JsonArray list = new JsonArray();
    for (int i = 0; i < members; i++) {
      list.add(new JsonObject().put("type", "SqlDatabase").put("serverName", "h").put("databaseName", "d" + i));
    }
    return new JsonObject().put("members", list);
  }
}
