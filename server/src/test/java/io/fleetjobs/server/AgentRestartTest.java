package io.fleetjobs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.testsupport.ApiClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The zero-configuration default: an embedded job database whose data lives in the data directory. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AgentRestartTest {

  @Test
  void definitions_survive_a_stop_and_start_on_the_same_data_directory(Vertx vertx, @TempDir Path dataDir)
    throws Exception {
    AgentConfig config = AgentConfig.fromJson(new JsonObject()
      .put("httpHost", "127.0.0.1")
      .put("httpPort", 0)
      .put("dataDir", dataDir.toString()));

    Agent first = Agent.start(vertx, config).await();
    String token = first.firstAdminToken();
    assertNotNull(token, "a new job database mints the first admin token");
    ApiClient api = ApiClient.create(vertx, first.httpPort(), token);
    assertEquals(201, api.put("/credentials/login", new JsonObject().put("username", "u").put("password", "p")).statusCode());
    assertEquals(201, api.put("/targetGroups/fleet", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlDatabase").put("serverName", "h").put("databaseName", "d")))).statusCode());
    assertEquals(201, api.put("/jobs/kept", new JsonObject().put("description", "survives")).statusCode());
    assertEquals(201, api.put("/jobs/kept/steps/s1", new JsonObject().put("targetGroup", "fleet")
      .put("credential", "login").put("action", new JsonObject().put("value", "SELECT 1"))).statusCode());
    Path keyFile = dataDir.resolve("master.key");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
    first.stop().await();

    Agent second = Agent.start(vertx, config).await();
    try {
      assertNull(second.firstAdminToken(), "the admin token is minted once, on the first start");
      ApiClient again = ApiClient.create(vertx, second.httpPort(), token);
      JsonObject job = again.get("/jobs/kept").bodyAsJsonObject();
      assertEquals("survives", job.getString("description"));
      assertEquals(1, job.getInteger("version"));
      assertEquals("login", again.get("/jobs/kept/steps/s1").bodyAsJsonObject().getString("credential"));
      assertEquals("u", again.get("/credentials/login").bodyAsJsonObject().getString("username"));
      assertTrue(Files.exists(dataDir.resolve("postgres").resolve("PG_VERSION")), "PostgreSQL keeps its files there");
      assertEmbeddedDatabaseAsksForItsPassword(second, dataDir);
      Exception twice = assertThrows(Exception.class, () -> Agent.start(vertx, config).await());
      assertTrue(twice.getMessage().contains("already runs an agent") || twice.getMessage().contains("Another agent"),
        twice.getMessage());
    } finally {
      second.stop().await();
    }
  }

  @Test
  void the_embedded_database_keeps_its_port_across_restarts_and_refuses_one_taken_by_another_program(Vertx vertx,
    @TempDir Path dataDir) throws Exception {
    JsonObject json = new JsonObject()
      .put("httpHost", "127.0.0.1")
      .put("httpPort", 0)
      .put("dataDir", dataDir.toString());
    Path portFile = dataDir.resolve("postgres.port");

    Agent first = Agent.start(vertx, AgentConfig.fromJson(json)).await();
    int chosen = first.jobDatabase().connectOptions().getPort();
    first.stop().await();
    assertEquals(String.valueOf(chosen), Files.readString(portFile).trim(), "the first start's port is kept");

    Agent second = Agent.start(vertx, AgentConfig.fromJson(json)).await();
    assertEquals(chosen, second.jobDatabase().connectOptions().getPort(), "and used again");
    second.stop().await();

    int overridden = freePort();
    Agent third = Agent.start(vertx, AgentConfig.fromJson(json.copy().put("embeddedDbPort", overridden))).await();
    assertEquals(overridden, third.jobDatabase().connectOptions().getPort(), "FLEETJOBS_EMBEDDED_DB_PORT wins");
    third.stop().await();
    assertEquals(String.valueOf(overridden), Files.readString(portFile).trim(), "and is kept from then on");

    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), overridden));
      Exception refused = assertThrows(Exception.class, () -> Agent.start(vertx, AgentConfig.fromJson(json)).await());
      assertTrue(refused.getMessage().contains("port " + overridden) && refused.getMessage().contains("in use")
        && refused.getMessage().contains("FLEETJOBS_EMBEDDED_DB_PORT"), refused.getMessage());
    }
    Agent fourth = Agent.start(vertx, AgentConfig.fromJson(json)).await();
    assertEquals(overridden, fourth.jobDatabase().connectOptions().getPort(), "the refused start moved nothing");
    fourth.stop().await();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Trust authentication would let any local user in as superuser. */
  private static void assertEmbeddedDatabaseAsksForItsPassword(Agent agent, Path dataDir) throws Exception {
    String url = agent.jobDatabase().jdbcUrl();
    assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "postgres", "").close());
    assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "postgres", "wrong").close());
    String password = Files.readString(dataDir.resolve("postgres.password")).trim();
    assertEquals("rw-------", PosixFilePermissions.toString(
      Files.getPosixFilePermissions(dataDir.resolve("postgres.password"))));
    try (Connection connection = DriverManager.getConnection(url, "postgres", password)) {
      assertTrue(connection.isValid(5));
    }
  }

  @Test
  void a_different_master_key_is_refused_at_start(Vertx vertx, @TempDir Path dataDir) throws Exception {
    JsonObject json = new JsonObject()
      .put("httpHost", "127.0.0.1")
      .put("httpPort", 0)
      .put("dataDir", dataDir.toString());
    Agent.start(vertx, AgentConfig.fromJson(json)).await().stop().await();
    Path keyFile = dataDir.resolve("master.key");
    String rightKey = Files.readString(keyFile);

    Files.writeString(keyFile, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
    Exception refused = assertThrows(Exception.class, () -> Agent.start(vertx, AgentConfig.fromJson(json)).await());
    assertTrue(refused.getMessage().contains("master key"), refused.getMessage());

    // The refused start released the embedded database, so the right key starts on the same directory again.
    Files.writeString(keyFile, rightKey);
    Agent.start(vertx, AgentConfig.fromJson(json)).await().stop().await();
  }
}
