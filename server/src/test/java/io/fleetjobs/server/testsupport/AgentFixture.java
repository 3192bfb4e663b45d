package io.fleetjobs.server.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.metrics.PrometheusRegistry;
import io.fleetjobs.server.targets.jdbc.JdbcDialect;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Base64;

/** A real agent on a job database of its own, with a known admin token. */
public final class AgentFixture implements AutoCloseable {
  public static final String ADMIN_TOKEN = "fjt_test_admin_token_for_fixture_0123456789";

  private final Agent agent;
  private final String database;
  private final ApiClient admin;

  private AgentFixture(Agent agent, String database, ApiClient admin) {
    this.agent = agent;
    this.database = database;
    this.admin = admin;
  }

  public static AgentFixture start(Vertx vertx, String purpose) {
    return start(vertx, purpose, new JsonObject());
  }

  /** @param overrides config keys to set on top of the test defaults */
  public static AgentFixture start(Vertx vertx, String purpose, JsonObject overrides) {
    return start(vertx, purpose, overrides, defaults());
  }

  /** @param clock the agent's clock, for a test that moves time instead of waiting for it */
  public static AgentFixture start(Vertx vertx, String purpose, JsonObject overrides, Clock clock) {
    return start(vertx, purpose, overrides, defaults().withClock(clock));
  }

  /** @param sqlserverDialect what the agent's sqlserver engine speaks in place of SQL Server's dialect */
  public static AgentFixture start(Vertx vertx, String purpose, JsonObject overrides, JdbcDialect sqlserverDialect) {
    return start(vertx, purpose, overrides, defaults().withSqlserverDialect(sqlserverDialect));
  }

  /** @param registry the registry /metrics reads, for a test that made its Vert.x report into it too */
  public static AgentFixture start(Vertx vertx, String purpose, JsonObject overrides,
                                   PrometheusMeterRegistry registry) {
    return start(vertx, purpose, overrides, Agent.Dependencies.of(registry));
  }

  private static Agent.Dependencies defaults() {
    return Agent.Dependencies.of(PrometheusRegistry.create());
  }

  private static AgentFixture start(Vertx vertx, String purpose, JsonObject overrides,
                                    Agent.Dependencies dependencies) {
    String database = TestPostgres.newDatabase(purpose);
    Agent agent = Agent.start(vertx, AgentConfig.fromJson(config(database).mergeIn(overrides)), dependencies).await();
    return new AgentFixture(agent, database, ApiClient.create(vertx, agent.httpPort(), ADMIN_TOKEN));
  }

  public static JsonObject config(String database) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new JsonObject()
      .put("httpHost", "127.0.0.1")
      .put("httpPort", 0)
      .put("dbUrl", TestPostgres.url(database))
      .put("masterKey", Base64.getEncoder().encodeToString(key))
      .put("bootstrapAdminToken", ADMIN_TOKEN)
      // Short ticks, and leases short enough for a test's patience yet long enough that a busy machine's
      // pauses do not expire them (CrashRecoveryTest shortens them further).
      .put("leaseSeconds", 10)
      .put("dispatchIntervalMs", 50);
  }

  public ApiClient admin() {
    return admin;
  }

  public ApiClient anonymous() {
    return admin.as(null);
  }

  /** Issues a token of the role through the API and returns a client that uses it. */
  public ApiClient as(String role) {
    HttpResponse<Buffer> issued = admin.post("/tokens", new JsonObject()
      .put("name", role + "-" + System.nanoTime())
      .put("role", role));
    assertEquals(201, issued.statusCode(), issued.bodyAsString());
    return admin.as(issued.bodyAsJsonObject().getString("token"));
  }

  public String database() {
    return database;
  }

  public int port() {
    return agent.httpPort();
  }

  /** A plain JDBC connection to the job database as its owner, for looking under the API. */
  public Connection jdbc() throws SQLException {
    return TestPostgres.connect(database, "postgres");
  }

  @Override
  public void close() {
    agent.stop().await();
  }
}
