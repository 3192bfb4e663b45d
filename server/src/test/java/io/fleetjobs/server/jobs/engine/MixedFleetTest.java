package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.azure.core.credential.AccessToken;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.TestCertificates;
import io.fleetjobs.server.testsupport.TestMariaDb;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One job over a fleet of two engines, resolved at run time: a PostgreSQL database over TLS with verify-full, a
 * PostgreSQL database that signs in with the agent's Microsoft Entra token (a fake identity whose token a local
 * role has as its password), and a MariaDB database. Each target row says how it connected.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MixedFleetTest {
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final String TOKEN = "fake-entra-token-for-the-fleet";
  private static TargetServer postgres;
  private static TestMariaDb mariadb;
  private static AgentFixture agent;
  private static Executions executions;
  private static ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start(Vertx vertx) {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    TestCertificates ca = TestCertificates.authority("fleetjobs mixed fleet CA");
    TestCertificates.Issued certificate = ca.issue("pg", "localhost", "dns:localhost");
    postgres = TargetServer.start();
    postgres.createDatabases("pg_verified", "pg_entra");
    postgres.execute("postgres", "CREATE ROLE fleet LOGIN SUPERUSER PASSWORD '" + TOKEN + "'");
    // The Entra database takes only the token; the other trusts the role, as the embedded server does.
    postgres.prependHba("hostssl pg_entra fleet all scram-sha-256", "host pg_entra all all reject");
    postgres.enableTls(certificate.certificate(), certificate.key(), ca.caFile());
    mariadb = TestMariaDb.start();
    mariadb.createUser("fleet", "fleet-password");
    mariadb.sql("CREATE DATABASE maria_app");
    agent = AgentFixture.unstarted("mixed_fleet", new JsonObject()
        .put("postgresSslRootCert", ca.caFile().toString())
        .put("entraMode", "DefaultAzureCredential"))
      .withEntraCredential(request -> Mono.just(new AccessToken(TOKEN, OffsetDateTime.now().plusHours(1))))
      .startOn(vertx);
    executions = new Executions(agent.admin());
    put("/credentials/fleet", new JsonObject().put("username", "fleet").put("password", "fleet-password"));
    put("/targetGroups/mixed", new JsonObject().put("members", new JsonArray()
      .add(database(postgres.serverName(), "pg_verified").put("sslMode", "verify-full"))
      .add(database(postgres.serverName(), "pg_entra").put("authentication", "Entra"))
      .add(database(mariadb.serverName(), "maria_app").put("engine", "mysql"))));
    put("/targetGroups/maria", new JsonObject().put("members", new JsonArray()
      .add(database(mariadb.serverName(), "maria_app").put("engine", "mysql"))));
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    if (agent != null) {
      agent.close();
    }
    if (mariadb != null) {
      mariadb.close();
    }
    postgres.close();
  }

  private static JsonObject database(String serverName, String database) {
    return new JsonObject().put("type", "SqlDatabase").put("serverName", serverName).put("databaseName", database);
  }

  private static HttpResponse<Buffer> put(String path, JsonObject body) {
    HttpResponse<Buffer> saved = agent.admin().put(path, body);
    assertTrue(saved.statusCode() < 300, path + ": " + saved.bodyAsString());
    return saved;
  }

  private static void step(String job, String group, String script, JsonObject options) {
    put("/jobs/" + job, new JsonObject());
    put("/jobs/" + job + "/steps/s1", new JsonObject().put("targetGroup", group).put("credential", "fleet")
      .put("action", new JsonObject().put("value", script)).put("executionOptions", options));
  }

  @Test
  void one_step_runs_on_postgresql_over_tls_with_entra_and_on_mariadb_and_each_row_says_how() {
    step("mixed", "mixed", "SELECT current_user", new JsonObject().put("retryAttempts", 0));
    String id = executions.start("mixed");
    JsonObject done = executions.awaitEnd("mixed", id, PATIENCE);
    List<JsonObject> rows = executions.targets("mixed", id);
    assertEquals("Succeeded", done.getString("lifecycle"), rows.toString());
    Map<String, JsonObject> byDatabase = rows.stream().map(row -> row.getJsonObject("target"))
      .collect(Collectors.toMap(target -> target.getString("databaseName"), Function.identity()));
    assertEquals(List.of("postgresql", "verify-full", "SqlLogin"), how(byDatabase.get("pg_verified")));
    assertEquals(List.of("postgresql", "verify-full", "DefaultAzureCredential"), how(byDatabase.get("pg_entra")));
    assertEquals(List.of("mysql", "PREFERRED", "SqlLogin"), how(byDatabase.get("maria_app")));

    JsonObject preview = agent.admin().get("/targetGroups/mixed/targets/preview").bodyAsJsonObject();
    List<JsonObject> previewed = preview.getJsonArray("targets").stream().map(JsonObject.class::cast)
      .sorted(Comparator.comparing(target -> target.getString("databaseName"))).toList();
    assertEquals(List.of(List.of("mysql", "PREFERRED", "SqlLogin"), List.of("postgresql", "verify-full",
        "DefaultAzureCredential"), List.of("postgresql", "verify-full", "SqlLogin")),
      previewed.stream().map(MixedFleetTest::how).toList(), preview.encode());

    String shown = rows.toString() + preview.encode() + agent.admin().get("/credentials/fleet").bodyAsString();
    assertFalse(shown.contains(TOKEN), "no token in a response");
    for (ILoggingEvent event : logs.list) {
      String line = event.getFormattedMessage()
        + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
      assertFalse(line.contains(TOKEN), "a log line carries the token: " + line);
    }
  }

  @Test
  void a_mysql_statement_past_its_timeout_is_killed_on_the_server() {
    step("slow", "maria", "SELECT 'fleetjobs-slow-marker', SLEEP(120)", new JsonObject()
      .put("timeoutSeconds", 2).put("retryAttempts", 0));
    String id = executions.start("slow");
    JsonObject done = executions.awaitEnd("slow", id, PATIENCE);
    assertEquals("TimedOut", done.getString("lifecycle"), done.encode());
    JsonObject row = executions.targets("slow", id).get(0);
    assertTrue(row.getString("lastMessage").contains("its statement was cancelled on the server"), row.encode());
    assertEquals("0", mariadb.sql("SELECT count(*) FROM information_schema.processlist "
      + "WHERE info LIKE '%fleetjobs-slow-marker%' AND info NOT LIKE '%processlist%'"), "gone from the process list");
  }

  @Test
  void a_dry_run_on_mariadb_reports_each_databases_rows_and_a_failing_statement_fails_that_target_only() {
    mariadb.sql("CREATE DATABASE maria_other; CREATE TABLE maria_app.dry_t (x int); "
      + "INSERT INTO maria_app.dry_t VALUES (0), (0);");
    put("/targetGroups/maria_two", new JsonObject().put("members", new JsonArray()
      .add(database(mariadb.serverName(), "maria_app").put("engine", "mysql"))
      .add(database(mariadb.serverName(), "maria_other").put("engine", "mysql"))));
    step("maria-dry", "maria_two", "UPDATE dry_t SET x = 1", new JsonObject().put("retryAttempts", 0));
    HttpResponse<Buffer> started = agent.admin().post("/jobs/maria-dry/start", new JsonObject().put("dryRun", true));
    assertEquals(202, started.statusCode(), started.bodyAsString());
    String id = started.bodyAsJsonObject().getString("jobExecutionId");
    assertEquals("Failed", executions.awaitEnd("maria-dry", id, PATIENCE).getString("lifecycle"));
    Map<String, JsonObject> byDatabase = executions.targets("maria-dry", id).stream()
      .collect(Collectors.toMap(row -> row.getJsonObject("target").getString("databaseName"), Function.identity()));
    JsonObject seen = byDatabase.get("maria_app");
    assertEquals("Succeeded", seen.getString("lifecycle"), seen.encode());
    assertEquals(new JsonObject().put("statement", 1).put("line", 1).put("command", "UPDATE").put("rows", 2),
      seen.getJsonObject("dryRunResult").getJsonArray("statements").getJsonObject(0), seen.encode());
    JsonObject failed = byDatabase.get("maria_other");
    assertEquals("Failed", failed.getString("lifecycle"), failed.encode());
    assertTrue(failed.getString("lastMessage").contains("ERROR 1146"), failed.getString("lastMessage"));
    assertEquals("0", mariadb.sql("SELECT count(*) FROM maria_app.dry_t WHERE x = 1"), "rolled back");
  }

  private static List<String> how(JsonObject target) {
    return List.of(target.getString("engine"), target.getString("sslMode"), target.getString("authentication"));
  }
}
