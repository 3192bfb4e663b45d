package io.fleetjobs.server.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import io.fleetjobs.server.db.JobDatabase;
import io.fleetjobs.server.targets.sqlserver.AccessTokens;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.MovableClock;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * PostgreSQL targets over TLS, against a real server with {@code ssl = on} and certificates a test authority made
 * for this run: libpq's sslmode meanings, plain refusals that are not retried, client certificates, the job
 * database URL's own sslmode, Microsoft Entra tokens as passwords, and whole runs whose timeouts and cancels stop
 * statements of TLS sessions.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PostgresTlsTest {
  private static final String DATABASE = "tls_target";
  private static final String ON_TLS = "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static TestCertificates ca;
  private static TestCertificates.Issued client;
  private static TestCertificates.Issued serverCertificate;
  private static TargetServer server;
  private static PostgresTargetDriver verifying;
  private static PostgresTargetDriver jvmTrust;
  private static AgentFixture agent;
  private static Scenario scenario;
  private static Executions executions;

  @BeforeAll
  static void start(Vertx vertx) {
    ca = TestCertificates.authority("fleetjobs test CA");
    // Made out for localhost only: 127.0.0.1 is the same server under a name the certificate does not have.
    serverCertificate = ca.issue("server", "localhost", "dns:localhost");
    client = ca.issue("client", "tls_cert_user");
    server = TargetServer.start();
    server.createDatabases(DATABASE);
    server.execute("postgres", "CREATE ROLE tls_only LOGIN SUPERUSER", "CREATE ROLE tls_cert_user LOGIN SUPERUSER",
      "CREATE ROLE \"entra-app\" LOGIN SUPERUSER PASSWORD 'fake-entra-token-1'");
    // Loaded with TLS below, which waits for the reload.
    server.prependHba(
      "hostnossl all tls_only all reject",
      "hostssl all tls_cert_user all cert",
      "hostssl all entra-app all scram-sha-256");
    server.enableTls(serverCertificate.certificate(), serverCertificate.key(), ca.caFile());
    verifying = driver(vertx, null);
    jvmTrust = new PostgresTargetDriver(vertx, PostgresTargetDriver.Settings.defaults());
    // An agent trusting the test authority, for whole runs: one member takes TLS because the server offers it,
    // the other because it demands it and checks the certificate. The role may sign in only over TLS, and the
    // cancel requests, sent in the clear, must still reach its sessions.
    agent = AgentFixture.unstarted("tls_runs", new JsonObject().put("postgresSslRootCert", ca.caFile().toString()))
      .startOn(vertx);
    scenario = Scenario.on(agent);
    executions = new Executions(agent);
    scenario.fleet(server, "tls_prefer", "tls_verified")
      .credential("tls", "tls_only", "unused")
      .group("tls_modes", "tls_prefer", "tls_verified")
      .sslMode("tls_prefer", "prefer")
      .sslMode("tls_verified", "verify-full")
      .create();
  }

  @AfterAll
  static void stop() {
    try {
      if (agent != null) {
        agent.close();
      }
    } finally {
      server.close();
    }
  }

  private static PostgresTargetDriver driver(Vertx vertx, PemKeyCertOptions clientCertificate) {
    return new PostgresTargetDriver(vertx, new PostgresTargetDriver.Settings("prefer",
      TlsTrust.of(ca.caFile().toString()), clientCertificate, Optional.empty()));
  }

  private static String onTls(PostgresTargetDriver driver, String serverName, String user, String sslMode) {
    ScriptResult result = driver.run(serverName, DATABASE, new Login(user, "unused"),
      ConnectionSettings.sslMode(sslMode), ON_TLS, options()).result().await();
    return result.rows().get(0).get(0).toString();
  }

  private static ScriptOptions options() {
    return new ScriptOptions(ActionType.SQL, false, true, "fleetjobs/tls-test/step");
  }

  private static Throwable failure(Future<?> future) {
    return assertThrows(CompletionException.class, () -> future.toCompletionStage().toCompletableFuture().join())
      .getCause();
  }

  private static Throwable runFailure(PostgresTargetDriver driver, String serverName, String user, String sslMode) {
    return failure(driver.run(serverName, DATABASE, new Login(user, "unused"), ConnectionSettings.sslMode(sslMode),
      "SELECT 1", options()).result());
  }

  @Test
  void verify_full_with_the_right_authority_and_name_connects_over_tls() {
    assertEquals("true", onTls(verifying, server.serverName(), "postgres", "verify-full"));
    assertEquals("verify-full", verifying.sslMode(ConnectionSettings.sslMode("verify-full")));
  }

  @Test
  void a_certificate_for_another_host_is_refused_plainly_and_not_retried() {
    Throwable failure = runFailure(verifying, "127.0.0.1:" + server.port(), "postgres", "verify-full");
    assertEquals("certificate for localhost does not match host 127.0.0.1 (sslMode verify-full)",
      failure.getMessage());
    Retryability retry = TargetFailures.classify(failure);
    assertFalse(retry.retryable(), "a certificate does not change between attempts");
  }

  @Test
  void verify_ca_checks_the_authority_but_not_the_name() {
    assertEquals("true", onTls(verifying, "127.0.0.1:" + server.port(), "postgres", "verify-ca"));
    Throwable unknownAuthority = runFailure(jvmTrust, server.serverName(), "postgres", "verify-ca");
    assertEquals("certificate for localhost is not signed by an authority in the JVM's trust store (sslMode "
      + "verify-ca)", unknownAuthority.getMessage());
    assertFalse(TargetFailures.classify(unknownAuthority).retryable());
  }

  /**
   * A server that turns TLS off while the agent remembers that it offered it. vertx-pg-client's prefer asks for TLS
   * again on each session, is refused, goes on in the clear, and leaves the refused connection waiting for a
   * sign-in until the server's authentication_timeout: every session for the answer's ten minutes left one. Now
   * the first session in the clear forgets the answer and the next ones ask again and connect without TLS.
   */
  @Test
  void a_server_that_turns_tls_off_is_asked_again_and_leaves_at_most_one_connection_waiting(Vertx vertx) {
    TargetServer turning = TargetServer.start();
    PostgresTargetDriver driver = new PostgresTargetDriver(vertx, PostgresTargetDriver.Settings.defaults());
    try {
      turning.createDatabases(DATABASE);
      turning.enableTls(serverCertificate.certificate(), serverCertificate.key(), ca.caFile());
      assertEquals("true", onTls(driver, turning.serverName(), "postgres", "prefer"), "the answer: TLS offered");
      turning.disableTls();
      int before = turning.serverProcesses();
      for (int i = 0; i < 5; i++) {
        assertEquals("false", onTls(driver, turning.serverName(), "postgres", "prefer"), "session " + i);
      }
      List<String> titles = turning.settledProcessTitles(before + 1);
      assertTrue(titles.size() <= before + 1, "connections left waiting for a sign-in: " + titles);
    } finally {
      driver.close().await();
      turning.close();
    }
  }

  @Test
  void require_encrypts_without_an_authority_and_prefer_is_the_default() {
    assertEquals("true", onTls(jvmTrust, "127.0.0.1:" + server.port(), "postgres", "require"));
    assertEquals("prefer", jvmTrust.sslMode(ConnectionSettings.DEFAULT), "the agent's default, as libpq's");
    assertEquals("true", onTls(jvmTrust, server.serverName(), "postgres", "prefer"), "prefer takes TLS when offered");
    assertEquals("false", onTls(jvmTrust, server.serverName(), "postgres", "disable"));
  }

  @Test
  void a_cancel_stops_a_statement_on_a_verified_tls_connection() {
    RunningScript sleeping = verifying.run(server.serverName(), DATABASE, new Login("postgres", "unused"),
      ConnectionSettings.sslMode("verify-full"), "SELECT pg_sleep(60) /* tls-cancel-marker */", options());
    awaitRunningOverTls("tls-cancel-marker", 1);
    sleeping.cancel().await();
    Throwable failed = failure(sleeping.result());
    assertTrue(failed.getMessage().contains("canceling statement"), failed.getMessage());
  }

  @Test
  void a_step_timeout_cancels_the_statement_over_tls_in_prefer_and_verify_full() {
    scenario.targetGroup("tls_modes")
      .job("tls_timeout")
      .step("s1", "SELECT pg_sleep(60) /* tls-timeout-marker */")
      .timeoutSeconds(1)
      .retryAttempts(0)
      .create();
    String id = executions.start("tls_timeout");
    JsonObject done = executions.awaitEnd("tls_timeout", id, PATIENCE);
    assertEquals("TimedOut", done.getString("lifecycle"), done.encode());
    List<JsonObject> rows = executions.targets("tls_timeout", id);
    assertEquals(List.of("prefer", "verify-full"), modes(rows));
    Executions.assertEndedByTheCancel(rows, "TimedOut");
    assertEquals(List.of(), server.stillRunning("tls-timeout-marker", Duration.ofSeconds(5)),
      "the statement still runs on the target (pids)");
  }

  @Test
  void a_cancel_through_the_api_stops_the_statement_over_tls_in_prefer_and_verify_full() {
    scenario.targetGroup("tls_modes")
      .job("tls_cancel")
      .step("s1", "SELECT pg_sleep(60) /* tls-api-cancel-marker */")
      .create();
    String id = executions.start("tls_cancel");
    awaitRunningOverTls("tls-api-cancel-marker", 2);
    HttpResponse<Buffer> cancel = agent.admin().post("/jobs/tls_cancel/executions/" + id + "/cancel", new JsonObject());
    assertEquals(200, cancel.statusCode(), cancel.bodyAsString());
    JsonObject done = executions.awaitEnd("tls_cancel", id, Duration.ofSeconds(10));
    assertEquals("Canceled", done.getString("lifecycle"), done.encode());
    List<JsonObject> rows = executions.targets("tls_cancel", id);
    assertEquals(List.of("prefer", "verify-full"), modes(rows));
    rows.forEach(row -> assertEquals("Canceled", row.getString("lifecycle"), row.encode()));
    assertEquals(List.of(), server.stillRunning("tls-api-cancel-marker", Duration.ofSeconds(5)),
      "the statement still runs on the target (pids)");
  }

  /** Waits until {@code count} sessions run the marked statement, and checks that every one of them is encrypted. */
  private static void awaitRunningOverTls(String marker, int count) {
    String running = "SELECT count(*) || ' running, ' || count(*) FILTER (WHERE s.ssl) || ' over TLS'"
      + " FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.state = 'active'"
      + " AND a.query LIKE '%" + marker + "%' AND a.query NOT LIKE '%pg_stat_activity%'";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String seen = server.column("postgres", running).get(0);
    while (!seen.startsWith(count + " running")) {
      assertTrue(System.nanoTime() < deadline, "the statement never started everywhere: " + seen);
      Executions.sleep(100);
      seen = server.column("postgres", running).get(0);
    }
    assertEquals(count + " running, " + count + " over TLS", seen);
  }

  private static List<String> modes(List<JsonObject> rows) {
    return rows.stream()
      .map(row -> row.getJsonObject("target").getString("sslMode"))
      .sorted()
      .toList();
  }

  @Test
  void a_server_that_allows_only_hostssl_refuses_disable_with_a_clear_message() {
    Throwable refused = runFailure(jvmTrust, server.serverName(), "tls_only", "disable");
    assertTrue(refused.getMessage().contains("pg_hba.conf rejects") && refused.getMessage().contains("no encryption")
      && refused.getMessage().endsWith("(sslMode disable)"), refused.getMessage());
    assertFalse(TargetFailures.classify(refused).retryable(), "the server's rules do not change between attempts");
    assertEquals("true", onTls(jvmTrust, server.serverName(), "tls_only", "require"));
  }

  @Test
  void a_client_certificate_signs_in_where_the_server_asks_for_one(Vertx vertx) {
    PostgresTargetDriver withCertificate = driver(vertx, new PemKeyCertOptions()
      .setCertPath(client.certificate().toString())
      .setKeyPath(client.key().toString()));
    assertEquals("true", onTls(withCertificate, server.serverName(), "tls_cert_user", "verify-full"));
    Throwable without = runFailure(verifying, server.serverName(), "tls_cert_user", "verify-full");
    assertTrue(without.getMessage().contains("requires a valid client certificate"), without.getMessage());
  }

  @Test
  void the_job_database_url_keeps_its_own_sslmode(Vertx vertx) throws Exception {
    JobDatabase db = JobDatabase.fromUrl("postgresql://postgres@localhost:" + server.port() + "/" + DATABASE
      + "?sslmode=require");
    Pool pool = db.pool(vertx, "tls-test", 1);
    try {
      Row row = pool.query(ON_TLS).execute().await().iterator().next();
      assertEquals("true", row.getString(0), "the engine's pool");
    } finally {
      pool.close().await();
    }
    try (Connection jdbc = DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
         Statement sql = jdbc.createStatement(); ResultSet rows = sql.executeQuery(ON_TLS)) {
      assertTrue(rows.next());
      assertEquals("true", rows.getString(1), "Flyway's JDBC connection");
    }
  }

  /**
   * Azure Database for PostgreSQL takes an Entra token as the password of the role. Here a local role has the
   * token a fake identity hands out as its password, and the role's password changes when the token does.
   */
  @Test
  void an_entra_member_signs_in_with_a_current_token_that_never_shows(Vertx vertx) {
    MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    AtomicInteger fetched = new AtomicInteger();
    AtomicReference<String> scope = new AtomicReference<>();
    TokenCredential identity = request -> {
      scope.set(request.getScopes().get(0));
      int n = fetched.incrementAndGet();
      return Mono.just(new AccessToken("fake-entra-token-" + n,
        OffsetDateTime.ofInstant(clock.instant().plus(Duration.ofHours(1)), ZoneOffset.UTC)));
    };
    AccessTokens tokens = new AccessTokens(identity, clock);
    PostgresTargetDriver entra = new PostgresTargetDriver(vertx, new PostgresTargetDriver.Settings("prefer",
      TlsTrust.of(ca.caFile().toString()), null, Optional.of(new PostgresTargetDriver.EntraIdentity(
      "ManagedIdentity", () -> tokens.forResource(PostgresTargetDriver.ENTRA_SCOPE).value()))));
    ConnectionSettings member = new ConnectionSettings(false, null, ConnectionSettings.ENTRA);
    Login role = new Login("entra-app", null);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    try {
      assertEquals("verify-full", entra.sslMode(member), "a token goes only to a server whose name is checked");
      assertEquals("ManagedIdentity", entra.authentication(member));
      ScriptResult first = entra.run(server.serverName(), DATABASE, role, member, "SELECT current_user::text",
        options()).result().await();
      assertEquals("entra-app", first.rows().get(0).get(0));
      assertEquals(PostgresTargetDriver.ENTRA_SCOPE, scope.get());
      entra.testLogin(server.serverName(), DATABASE, role, member).await();
      assertEquals(1, fetched.get(), "the token is cached while it is fresh");

      server.execute("postgres", "ALTER ROLE \"entra-app\" PASSWORD 'fake-entra-token-2'");
      clock.advance(Duration.ofMinutes(58));
      entra.testLogin(server.serverName(), DATABASE, role, member).await();
      assertEquals(2, fetched.get(), "a token about to expire is fetched again before it is used");

      Throwable unverified = failure(entra.testLogin(server.serverName(), DATABASE, role,
        member.withSslMode("require")));
      assertTrue(unverified.getMessage().contains("verify"), unverified.getMessage());
      assertEquals(2, fetched.get(), "no token is fetched for a server that is not verified");
    } finally {
      root.detachAppender(logs);
    }
    assertTrue(logs.list.stream().noneMatch(e -> e.getFormattedMessage().contains("fake-entra-token")
        || (e.getThrowableProxy() != null && e.getThrowableProxy().getMessage() != null
          && e.getThrowableProxy().getMessage().contains("fake-entra-token"))),
      "no token in the logs");
  }
}
