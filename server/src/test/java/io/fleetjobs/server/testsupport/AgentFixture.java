package io.fleetjobs.server.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.azure.core.credential.TokenCredential;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real agent on a job database of its own, with a known admin token.
 *
 * <p>For every test of a class, register {@link #perClass} as a static {@code @RegisterExtension} field: the agent
 * starts, on a Vert.x of its own, before the class's {@code @BeforeAll} and stops after its {@code @AfterAll}, and so
 * does the class's {@link #targetServer()} if it asks for one. A test that needs an agent of its own calls
 * {@link #start} and closes it.
 */
public final class AgentFixture implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
  public static final String ADMIN_TOKEN = "fjt_test_admin_token_for_fixture_0123456789";

  private final String purpose;
  private final JsonObject overrides;
  private PrometheusMeterRegistry registry;
  private JsonObject launched;
  private Clock clock = Clock.systemUTC();
  private JdbcDialect sqlserverDialect;
  private Map<String, String> environment;
  private TokenCredential entraCredential;
  private Vertx ownVertx;
  private TargetServer targets;
  private CompletableFuture<Void> targetsStarted = CompletableFuture.completedFuture(null);
  private Vertx vertx;
  private Agent agent;
  private String database;
  private ApiClient admin;

  private AgentFixture(String purpose, JsonObject overrides) {
    this.purpose = purpose;
    this.overrides = overrides;
  }

  /** An agent for all the tests of a class, registered as its extension. */
  public static AgentFixture perClass(String purpose) {
    return perClass(purpose, new JsonObject());
  }

  /** @param overrides config keys to set on top of the test defaults */
  public static AgentFixture perClass(String purpose, JsonObject overrides) {
    return new AgentFixture(purpose, overrides);
  }

  public static AgentFixture start(Vertx vertx, String purpose) {
    return start(vertx, purpose, new JsonObject());
  }

  /** @param overrides config keys to set on top of the test defaults */
  public static AgentFixture start(Vertx vertx, String purpose, JsonObject overrides) {
    return new AgentFixture(purpose, overrides).launch(vertx);
  }

  /** @param clock the agent's clock, for a test that moves time instead of waiting for it */
  public static AgentFixture start(Vertx vertx, String purpose, JsonObject overrides, Clock clock) {
    return new AgentFixture(purpose, overrides).withClock(clock).launch(vertx);
  }

  /** @param sqlserverDialect what the agent's sqlserver engine speaks in place of SQL Server's dialect */
  public static AgentFixture start(Vertx vertx, String purpose, JsonObject overrides, JdbcDialect sqlserverDialect) {
    return new AgentFixture(purpose, overrides).withSqlserverDialect(sqlserverDialect).launch(vertx);
  }

  /** The agent's clock, for a test that moves time instead of waiting for it. */
  public AgentFixture withClock(Clock agentClock) {
    clock = agentClock;
    return this;
  }

  /** @param registry the registry /metrics reads, for a test that made its Vert.x report into it too */
  public static AgentFixture start(Vertx vertx, String purpose, JsonObject overrides,
                                   PrometheusMeterRegistry registry) {
    AgentFixture fixture = new AgentFixture(purpose, overrides);
    fixture.registry = registry;
    return fixture.launch(vertx);
  }

  /** What the agent's sqlserver engine speaks in place of SQL Server's dialect (the tests' stand-in). */
  public AgentFixture withSqlserverDialect(JdbcDialect dialect) {
    sqlserverDialect = dialect;
    return this;
  }

  /** The variables secrets given by reference ({"env": …}) are read from, in place of the JVM's environment. */
  public AgentFixture withEnvironment(Map<String, String> variables) {
    environment = variables;
    return this;
  }

  /** The agent's Microsoft Entra identity: a fake one, whose tokens a local role has as its password. */
  public AgentFixture withEntraCredential(TokenCredential credential) {
    entraCredential = credential;
    return this;
  }

  /** Starts the agent configured so far, for a test that sets more than the shortcuts above. */
  public static AgentFixture unstarted(String purpose, JsonObject overrides) {
    return new AgentFixture(purpose, overrides);
  }

  public AgentFixture startOn(Vertx vertx) {
    return launch(vertx);
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

  /**
   * A target server of the class's own, apart from the job databases. Asked for in a field initializer, it starts
   * alongside the agent and stops after it.
   */
  public TargetServer targetServer() {
    if (agent != null) {
      throw new IllegalStateException("a class's target server is asked for before its agent starts");
    }
    if (targets == null) {
      targets = TargetServer.unstarted();
    }
    return targets;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (targets != null) {
      targetsStarted = CompletableFuture.runAsync(targets::open);
    }
    ownVertx = Vertx.vertx();
    launch(ownVertx);
    targetsStarted.join();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      close();
    } finally {
      try {
        targetsStarted.handle((started, failure) -> null).join();
        if (targets != null) {
          targets.close();
        }
      } finally {
        if (ownVertx != null) {
          ownVertx.close().await();
        }
      }
    }
  }

  private AgentFixture launch(Vertx vertx) {
    this.vertx = vertx;
    database = TestPostgres.newJobDatabase(purpose);
    Agent.Dependencies dependencies = Agent.Dependencies.of(registry == null ? PrometheusRegistry.create() : registry)
      .withClock(clock);
    if (sqlserverDialect != null) {
      dependencies = dependencies.withSqlserverDialect(sqlserverDialect);
    }
    if (environment != null) {
      dependencies = dependencies.withEnvironment(environment);
    }
    if (entraCredential != null) {
      dependencies = dependencies.withEntraCredential(entraCredential);
    }
    launched = config(database).mergeIn(overrides);
    agent = Agent.start(vertx, AgentConfig.fromJson(launched), dependencies).await();
    admin = ApiClient.create(vertx, agent.httpPort(), ADMIN_TOKEN);
    return this;
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

  /** The Vert.x the agent runs on, for listening on its event bus. */
  public Vertx vertx() {
    return vertx;
  }

  /** The agent's configuration, master key included: a second agent on the same job database starts from it. */
  public JsonObject agentConfig() {
    return launched.copy();
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
    if (agent != null) {
      agent.stop().await();
    }
  }
}
