package io.fleetjobs.server.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.targets.sqlserver.SqlServerDialect;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.tds.Reply;
import io.fleetjobs.server.testsupport.tds.TdsCall;
import io.fleetjobs.server.testsupport.tds.TdsColumn;
import io.fleetjobs.server.testsupport.tds.TdsRequest;
import io.fleetjobs.server.testsupport.tds.TdsServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jobs on sqlserver targets through the whole engine and SQL Server's own dialect, with mssql-jdbc talking TDS
 * to the test server: timeouts and cancels, enumeration's errors and retries, and dry runs, as the API reports them.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SqlServerWireEngineTest {
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final String DATABASES = "FROM sys\\.databases d";
  private static AgentFixture agent;
  private static Executions executions;
  private static TdsServer server;

  @BeforeAll
  static void start(Vertx vertx) {
    server = TdsServer.start();
    // The test server's certificate is self-signed; TLS stays on.
    agent = AgentFixture.start(vertx, "sqlserver_wire", new JsonObject().put("sqlserverTrustServerCertificate", true),
      new SqlServerDialect());
    executions = new Executions(agent.admin());
    agent.admin().put("/credentials/job", new JsonObject().put("username", "fleet").put("password", "s3cret"));
    agent.admin().put("/targetGroups/one", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlDatabase").put("engine", "sqlserver").put("serverName", server.serverName())
        .put("databaseName", "tenant1"))));
    server.when("WAITFOR DELAY", new Reply().info("reached the slow part").done()
      .pauseUntilAttention(Duration.ofMinutes(2)));
  }

  @AfterAll
  static void stop() {
    agent.close();
    server.close();
  }

  private static void slowJob(String job, int timeoutSeconds) {
    agent.admin().put("/jobs/" + job, new JsonObject());
    agent.admin().put("/jobs/" + job + "/steps/wait", new JsonObject().put("targetGroup", "one")
      .put("credential", "job").put("action", new JsonObject().put("value", "PRINT 'reached the slow part'; "
        + "WAITFOR DELAY '00:10:00' -- " + job))
      .put("executionOptions", new JsonObject().put("timeoutSeconds", timeoutSeconds).put("retryAttempts", 0)));
  }

  private static long attentions() {
    return server.requests().stream().filter(r -> r.kind() == TdsRequest.Kind.ATTENTION).count();
  }

  @Test
  void a_timeout_sends_attention_and_ends_timed_out() {
    slowJob("slow", 2);
    long before = attentions();
    String id = executions.start("slow");
    assertEquals("TimedOut", executions.awaitEnd("slow", id, PATIENCE).getString("lifecycle"));
    String message = executions.targets("slow", id).get(0).getString("lastMessage");
    assertTrue(message.contains("timed out") && message.endsWith("Messages:\nreached the slow part"), message);
    assertTrue(attentions() > before, "the driver sent ATTENTION: " + server.requests());
  }

  @Test
  void a_cancel_sends_attention_and_ends_canceled() {
    slowJob("cancelled", 300);
    long before = attentions();
    String id = executions.start("cancelled");
    executions.awaitTarget("cancelled", id, t -> "InProgress".equals(t.getString("lifecycle")), PATIENCE);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.calls("-- cancelled").isEmpty() && System.nanoTime() < deadline) {
      Executions.sleep(50);
    }
    agent.admin().post("/jobs/cancelled/executions/" + id + "/cancel", new JsonObject());
    assertEquals("Canceled", executions.awaitEnd("cancelled", id, PATIENCE).getString("lifecycle"));
    assertTrue(attentions() > before, "the driver sent ATTENTION: " + server.requests());
  }

  @Test
  void an_empty_enumeration_is_an_error_that_names_the_permission() {
    TdsServer empty = TdsServer.start();
    try {
      empty.when(DATABASES, Reply.resultSet(List.of(TdsColumn.nvarchar("name", 128))));
      agent.admin().put("/credentials/lister", new JsonObject().put("username", "lister").put("password", "pw"));
      agent.admin().put("/targetGroups/unlisted", new JsonObject().put("members", new JsonArray()
        .add(new JsonObject().put("type", "SqlServer").put("engine", "sqlserver").put("serverName", empty.serverName())
          .put("refreshCredential", "lister"))));
      agent.admin().put("/jobs/nowhere", new JsonObject());
      agent.admin().put("/jobs/nowhere/steps/one", new JsonObject().put("targetGroup", "unlisted")
        .put("credential", "job").put("action", new JsonObject().put("value", "SELECT 1"))
        .put("executionOptions", new JsonObject().put("retryAttempts", 3)));
      String id = executions.start("nowhere");
      assertEquals("Failed", executions.awaitEnd("nowhere", id, PATIENCE).getString("lifecycle"));
      JsonObject member = executions.targets("nowhere", id).get(0);
      String message = member.getString("lastMessage");
      assertTrue(message.contains("dbmanager") && message.contains("##MS_DefinitionReader##")
        && message.contains("not retried"), message);
    } finally {
      empty.close();
    }
  }

  @Test
  void a_transient_error_on_master_is_retried() {
    TdsServer busy = TdsServer.start();
    try {
      AtomicInteger listings = new AtomicInteger();
      busy.when(DATABASES, (call, session) -> listings.incrementAndGet() == 1
        ? Reply.failure(40613, 17, "Database 'master' on server 'busy' is not currently available. Please retry the "
          + "connection later.")
        : Reply.resultSet(List.of(TdsColumn.nvarchar("name", 128)), List.of("tenant7")));
      agent.admin().put("/targetGroups/busy", new JsonObject().put("members", new JsonArray()
        .add(new JsonObject().put("type", "SqlServer").put("engine", "sqlserver").put("serverName", busy.serverName())
          .put("refreshCredential", "job"))));
      JsonObject preview = agent.admin().get("/targetGroups/busy/targets/preview").bodyAsJsonObject();
      assertEquals(List.of("tenant7"), preview.getJsonArray("targets").stream().map(JsonObject.class::cast)
        .map(t -> t.getString("databaseName")).toList(), preview.encode());
      assertEquals(2, listings.get());
    } finally {
      busy.close();
    }
  }

  private static String dryRun(String job, String script, int retryAttempts) {
    agent.admin().put("/jobs/" + job, new JsonObject());
    agent.admin().put("/jobs/" + job + "/steps/s", new JsonObject().put("targetGroup", "one").put("credential", "job")
      .put("action", new JsonObject().put("value", script))
      .put("executionOptions", new JsonObject().put("retryAttempts", retryAttempts)));
    JsonObject started = agent.admin().post("/jobs/" + job + "/start", new JsonObject().put("dryRun", true))
      .bodyAsJsonObject();
    assertEquals(true, started.getBoolean("dryRun"), started.encode());
    return started.getString("jobExecutionId");
  }

  @Test
  void a_dry_run_sends_its_batches_between_begin_tran_and_rollback_and_records_their_rows() {
    server.when("UPDATE dbo.dry_accounts", Reply.updateCount(4));
    String id = dryRun("dry", "UPDATE dbo.dry_accounts SET balance = 0", 0);
    JsonObject ended = executions.awaitEnd("dry", id, PATIENCE);
    assertEquals("Succeeded", ended.getString("lifecycle"), ended.encode());
    JsonObject result = executions.targets("dry", id).get(0).getJsonObject("dryRunResult");
    assertEquals(new JsonObject().put("statement", 1).put("line", 1).put("command", "UPDATE").put("rows", 4),
      result.getJsonArray("statements").getJsonObject(0), result.encode());
    List<String> sent = server.calls().stream().map(TdsCall::sql).toList();
    int update = sent.indexOf("UPDATE dbo.dry_accounts SET balance = 0");
    assertTrue(update > 0 && sent.get(update - 1).equals("SET IMPLICIT_TRANSACTIONS OFF; BEGIN TRANSACTION")
      && sent.subList(update, sent.size()).contains("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION"), sent.toString());
  }

  @Test
  void a_dry_run_refuses_a_backup_without_sending_it_or_retrying() {
    String id = dryRun("dry-backup", "BACKUP DATABASE tenant1 TO DISK = N'/backups/tenant1.bak'", 3);
    assertEquals("Failed", executions.awaitEnd("dry-backup", id, PATIENCE).getString("lifecycle"));
    JsonObject target = executions.targets("dry-backup", id).get(0);
    assertTrue(target.getString("lastMessage").contains("cannot be dry-run: runs outside a transaction (BACKUP "
      + "DATABASE at line 1)"), target.getString("lastMessage"));
    assertEquals(1, target.getInteger("currentAttempts"), "not retried");
    assertTrue(server.calls("BACKUP").isEmpty(), "never sent");
  }
}
