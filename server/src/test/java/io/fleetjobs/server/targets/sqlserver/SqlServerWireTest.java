package io.fleetjobs.server.targets.sqlserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.SqlServerSettings;
import io.fleetjobs.server.config.Tier;
import io.fleetjobs.server.targets.ActionType;
import io.fleetjobs.server.targets.ConnectionSettings;
import io.fleetjobs.server.targets.DryRunRefused;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.RunningScript;
import io.fleetjobs.server.targets.ScriptFailed;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.ScriptResult;
import io.fleetjobs.server.targets.TargetFailures;
import io.fleetjobs.server.targets.TargetWorkerPool;
import io.fleetjobs.server.targets.jdbc.JdbcAuth;
import io.fleetjobs.server.targets.jdbc.JdbcPools;
import io.fleetjobs.server.targets.jdbc.JdbcTargetDriver;
import io.fleetjobs.server.targets.jdbc.TargetAuthenticator;
import io.fleetjobs.server.testsupport.tds.Login7;
import io.fleetjobs.server.testsupport.tds.Reply;
import io.fleetjobs.server.testsupport.tds.TdsCall;
import io.fleetjobs.server.testsupport.tds.TdsColumn;
import io.fleetjobs.server.testsupport.tds.TdsRequest;
import io.fleetjobs.server.testsupport.tds.TdsServer;
import io.fleetjobs.server.testsupport.tds.TestCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sqlserver engine's JDBC path driving mssql-jdbc against the TDS test server: what our code makes the
 * driver send, and what it makes of what a SQL Server answers. Each defect of issue 13 has its test here.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SqlServerWireTest {
  private static final Login LOGIN = new Login("fleet", "s3cret");
  private static final String DATABASE = "tenant1";
  private TdsServer server;
  private TargetWorkerPool workers;
  private JdbcTargetDriver driver;

  @BeforeEach
  void start(Vertx vertx) {
    server = TdsServer.start();
    Capacity capacity = Capacity.inMemory(Tier.JA100);
    workers = TargetWorkerPool.open(vertx, capacity);
    // The test server's certificate is self-signed: the agent's setting trusts it, as for a lab server.
    driver = new JdbcTargetDriver(vertx, new JdbcTargetDriver.Dependencies("sqlserver", new SqlServerDialect(),
      new JdbcPools(vertx, workers, capacity, JdbcPools.Settings.DEFAULT), workers,
      TargetAuthenticator.storedCredentials(), true));
  }

  @AfterEach
  void stop() {
    driver.close().await();
    workers.close().await();
    server.close();
  }

  private static ScriptOptions options(boolean keepFirstResult) {
    return new ScriptOptions(ActionType.TSQL, false, keepFirstResult, ScriptOptions.applicationName("job", "step"));
  }

  private Future<ScriptResult> run(String script, boolean keepFirstResult) {
    return driver.run(server.serverName(), DATABASE, LOGIN, ConnectionSettings.DEFAULT, script,
      options(keepFirstResult)).result();
  }

  private Future<ScriptResult> dryRun(String script) {
    return driver.run(server.serverName(), DATABASE, LOGIN, ConnectionSettings.DEFAULT, script,
      options(false).asDryRun()).result();
  }

  /** What the run sent, in order, without the driver's own requests. */
  private List<String> sent() {
    return server.calls().stream().map(TdsCall::sql).toList();
  }

  private static final String BEGIN = "SET IMPLICIT_TRANSACTIONS OFF; BEGIN TRANSACTION";
  private static final String STILL_OPEN = "SELECT @@TRANCOUNT AS dry_run_transactions";
  private static final String ROLLBACK = "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION";

  private static Throwable failure(Future<?> future) {
    return assertThrows(CompletionException.class, () -> future.toCompletionStage().toCompletableFuture().join())
      .getCause();
  }

  /**
   * What SQL Server answers for a table that does not exist yet (no columns, no index), and, once our code
   * created it, what bulk copy asks of it: its columns (SET FMTONLY) and their collations.
   */
  private void outputTableIsNew(TdsColumn... resultColumns) {
    server.when("FROM sys\\.columns c", Reply.resultSet(List.of(TdsColumn.nvarchar("name", 128),
      TdsColumn.nvarchar("type", 128))));
    server.when("FROM sys\\.indexes", Reply.resultSet(List.of(TdsColumn.nvarchar("name", 128))));
    List<TdsColumn> table = new ArrayList<>(List.of(TdsColumn.uniqueidentifier("internal_execution_id"),
      TdsColumn.nvarchar("target_server_name", 256), TdsColumn.nvarchar("target_database_name", 128)));
    table.addAll(List.of(resultColumns));
    server.when("SET FMTONLY ON SELECT \\* FROM \\[dbo\\]\\.\\[Results\\]", Reply.resultSet(table));
    List<List<?>> collations = table.stream()
      .<List<?>>map(c -> Arrays.asList(c.sqlType().equals("nvarchar") ? "SQL_Latin1_General_CP1_CI_AS" : null, false))
      .toList();
    server.when("select collation_name, is_computed from sys\\.columns", Reply.resultSet(
      List.of(TdsColumn.nvarchar("collation_name", 128), TdsColumn.bit("is_computed")),
      collations.toArray(List[]::new)));
  }

  private OutputTable outputTable() {
    return new OutputTable(server.serverName(), DATABASE, "dbo", "Results", UUID.randomUUID(), "tenant-server", "tenant-db");
  }

  // Defect 2: errors inside result sets that are not kept must still fail the target.

  @Test
  void an_error_after_rows_fails_the_target() {
    server.when("SELECT n FROM numbers", new Reply().columns(TdsColumn.integer("n")).row(1).row(2)
      .error(8134, 16, "Divide by zero error encountered.").done());
    Throwable failed = failure(run("SELECT n FROM numbers", false));
    assertInstanceOf(ScriptFailed.class, failed);
    assertTrue(failed.getMessage().contains("Divide by zero"), failed.getMessage());
  }

  @Test
  void an_error_in_a_later_result_set_fails_the_target() {
    server.when("SELECT 'first'", new Reply()
      .columns(TdsColumn.nvarchar("label", 10)).row("first").count(1)
      .columns(TdsColumn.integer("n")).row(1).error(1205, 13, "Transaction (Process ID 57) was deadlocked on lock "
        + "resources with another process and has been chosen as the deadlock victim. Rerun the transaction."));
    Throwable failed = failure(run("SELECT 'first'; SELECT n FROM contended", true));
    assertTrue(failed.getMessage().contains("deadlock victim"), failed.getMessage());
  }

  // Defect 4: a transaction the script leaves open is rolled back, and the target fails saying so.

  @Test
  void an_open_transaction_fails_the_target() {
    Throwable failed = failure(run("BEGIN TRANSACTION\nUPDATE dbo.accounts SET balance = 0", false));
    assertTrue(failed.getMessage().contains("left 1 transaction open"), failed.getMessage());
    assertEquals(1, server.calls("^IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION$").size(),
      "rolled back at once, not when the connection is next used: " + server.calls());
  }

  // Defect 3: every lease resets the session on the server.

  @Test
  void every_lease_resets_the_session() {
    run("SET LOCK_TIMEOUT 0; CREATE TABLE #scratch (x int); SELECT 'first'", false).await();
    run("SELECT 'second'", false).await();
    run("SELECT 'third'", false).await();
    List<TdsRequest> requests = server.requests();
    assertEquals(1, requests.stream().mapToInt(TdsRequest::connection).max().orElse(0), "one pooled connection");
    for (String script : List.of("SELECT 'second'", "SELECT 'third'")) {
      int first = indexOf(requests, script);
      // The first request of a lease is where the driver puts the reset bit; ours may come before the script.
      int leaseStart = first;
      while (leaseStart > 0 && !requests.get(leaseStart - 1).statements().toString().contains("@@TRANCOUNT")) {
        leaseStart--;
      }
      boolean reset = requests.subList(leaseStart, first + 1).stream().anyMatch(TdsRequest::resetConnection);
      assertTrue(reset, "the lease that ran " + script + " reset the session: " + requests);
    }
  }

  private static int indexOf(List<TdsRequest> requests, String statement) {
    for (int i = 0; i < requests.size(); i++) {
      if (requests.get(i).statements().contains(statement)) {
        return i;
      }
    }
    throw new AssertionError(statement + " was never sent: " + requests);
  }

  // Defect 1: the output write opens its transaction before it takes the lock.

  @Test
  void the_output_write_opens_a_transaction_before_its_lock() {
    outputTableIsNew(TdsColumn.integer("n"));
    List<Integer> transactionsAtLock = new ArrayList<>();
    server.when("sp_getapplock", (call, session) -> {
      transactionsAtLock.add(session.transactionCount());
      return Reply.ok();
    });
    ScriptResult result = new ScriptResult(List.of(new ScriptResult.Column("n", "int")), List.of(List.of(1)));
    driver.appendOutput(outputTable(), LOGIN, result).await();
    assertFalse(transactionsAtLock.isEmpty(), "the output table was locked");
    assertTrue(transactionsAtLock.stream().allMatch(open -> open > 0),
      "sp_getapplock with @LockOwner = 'Transaction' ran inside a transaction: " + transactionsAtLock);
  }

  // Defect 5: a NULL in a binary column is sent as a binary parameter, which SQL Server accepts.

  @Test
  void a_null_binary_parameter_is_typed_as_binary() {
    outputTableIsNew(TdsColumn.varbinaryMax("payload"), TdsColumn.nvarcharMax("label"));
    ScriptResult result = new ScriptResult(List.of(new ScriptResult.Column("payload", "varbinary(16)", Types.VARBINARY),
      new ScriptResult.Column("label", "nvarchar(10)", Types.NVARCHAR)), List.of(Arrays.asList(null, null)));
    driver.appendOutput(outputTable(), LOGIN, result).await();
    List<String> sent = sentTypes();
    assertEquals(List.of("varbinary", "nvarchar"), sent.subList(sent.size() - 2, sent.size()), sent.toString());
    List<String> declared = server.calls("INSERT BULK").stream().map(TdsCall::sql).toList();
    assertTrue(declared.size() == 1 && declared.get(0).toLowerCase(java.util.Locale.ROOT)
      .contains("[payload] varbinary(max)"), declared.toString());
    List<List<Object>> rows = server.requests().stream().filter(r -> r.kind() == TdsRequest.Kind.BULK_LOAD)
      .flatMap(r -> r.bulkRows().stream()).toList();
    assertEquals(1, rows.size(), "one bulk load, no RPC per row: " + server.requests());
    assertEquals(Arrays.asList("tenant-server", "tenant-db", null, null), rows.get(0).subList(1, 5));
  }

  // Lost messages (risk 13): what the server prints around rows and after an error reaches lastMessage.

  @Test
  void print_after_rows_and_after_an_error_is_kept() {
    server.when("SELECT n FROM printed", new Reply().info("before rows").columns(TdsColumn.integer("n")).row(1)
      .info("inside rows").row(2).count(2).info("after rows").count(-1));
    ScriptResult result = run("SELECT n FROM printed", true).await();
    assertTrue(result.messages().containsAll(List.of("before rows", "after rows")), result.messages().toString());
    server.when("SELECT 1/0", new Reply().error(8134, 16, "Divide by zero error encountered.").done()
      .info("printed after the error").done());
    Throwable failed = failure(run("SELECT 1/0; PRINT 'printed after the error'", false));
    assertTrue(failed.getMessage().contains("Divide by zero")
      && failed.getMessage().contains("Messages:\nprinted after the error"), failed.getMessage());
  }

  // sqlcmd commands (risk 12).

  @Test
  void setvar_and_on_error_work_as_in_sqlcmd() {
    server.when("DROP TABLE", Reply.failure(3701, 11, "Cannot drop the table 'staging', because it does not exist."));
    ScriptResult result = run("""
      :setvar Schema "sales"
      :setvar Retention 30
      :on error ignore
      DROP TABLE $(Schema).staging
      GO
      :on error exit
      DELETE FROM $(Schema).events WHERE age > $(Retention)
      GO
      """, false).await();
    assertTrue(server.calls().stream().anyMatch(c -> "DELETE FROM sales.events WHERE age > 30".equals(c.sql())),
      server.calls().toString());
    assertTrue(result.messages().stream().anyMatch(m -> m.contains("Cannot drop the table")), result.messages().toString());
    server.clearRecords();
    Throwable stopped = failure(run(":on error exit\nDROP TABLE staging\nGO\nSELECT 'never'", false));
    assertTrue(stopped.getMessage().contains("Cannot drop the table"), stopped.getMessage());
    assertTrue(server.calls("never").isEmpty(), "exit stops at the failing batch");
    Throwable included = failure(run("PRINT 'x'\n:r .\\deploy.sql\nGO", false));
    assertTrue(included.getMessage().contains("Line 2") && included.getMessage().contains(":r"), included.getMessage());
  }

  // Entra tokens (risk 10): every login asks for the current token, for the server's own SPN.

  @Test
  void a_fedauth_login_carries_the_current_token_and_a_refreshed_one_after_expiry(Vertx vertx)
    throws InterruptedException {
    server.fedAuthSpn("https://database.usgovcloudapi.net/");
    List<String> resources = new ArrayList<>();
    JdbcAuth.TokenSource tokens = resource -> {
      resources.add(resource);
      return new JdbcAuth.IssuedToken("token-" + resources.size(), Instant.now().plus(Duration.ofSeconds(1)));
    };
    Capacity capacity = Capacity.inMemory(Tier.JA100);
    JdbcTargetDriver identity = new JdbcTargetDriver(vertx, new JdbcTargetDriver.Dependencies("sqlserver",
      new SqlServerDialect(), new JdbcPools(vertx, workers, capacity, JdbcPools.Settings.DEFAULT), workers,
      TargetAuthenticator.identity(new JdbcAuth.Token("ManagedIdentity", tokens)), true));
    try {
      identity.run(server.serverName(), DATABASE, null, ConnectionSettings.DEFAULT, "SELECT 1", options(false))
        .result().await();
      identity.run(server.serverName(), DATABASE, null, ConnectionSettings.DEFAULT, "SELECT 2", options(false))
        .result().await();
      Thread.sleep(1500);
      identity.run(server.serverName(), DATABASE, null, ConnectionSettings.DEFAULT, "SELECT 3", options(false))
        .result().await();
    } finally {
      identity.close().await();
    }
    List<Login7> logins = server.logins();
    // The session signed in with token-1 serves while that token is valid; the first lease after it expired
    // signs in again with a fresh one.
    assertEquals(List.of("token-1", "token-2"), logins.stream().map(Login7::accessToken).toList(), logins.toString());
    assertTrue(logins.stream().allMatch(login -> login.fedAuthLibrary() == Login7.LIBRARY_MSAL
      && login.password().isEmpty()), logins.toString());
    assertEquals(List.of("https://database.usgovcloudapi.net/", "https://database.usgovcloudapi.net/"), resources,
      "the token is for the cloud the server names");
  }

  // Output columns (risk 8) and writes (risk 9).

  @Test
  void a_later_tenants_wider_values_widen_the_output_columns_under_the_lock_and_rows_go_in_bulk() {
    server.when("FROM sys\\.columns c", Reply.resultSet(List.of(TdsColumn.nvarchar("name", 128),
        TdsColumn.nvarchar("type", 128)), List.of("internal_execution_id", "uniqueidentifier"),
      List.of("target_server_name", "nvarchar(256)"), List.of("target_database_name", "nvarchar(128)"),
      List.of("label", "nvarchar(50)"), List.of("amount", "decimal(38,2)")));
    server.when("FROM sys\\.indexes", Reply.resultSet(List.of(TdsColumn.nvarchar("name", 128)),
      List.of("IX_Results_Internal_Execution_ID")));
    server.when("SET FMTONLY ON", Reply.resultSet(List.of(TdsColumn.uniqueidentifier("internal_execution_id"),
      TdsColumn.nvarchar("target_server_name", 256), TdsColumn.nvarchar("target_database_name", 128),
      TdsColumn.nvarcharMax("label"), TdsColumn.decimal("amount", 38, 4))));
    server.when("select collation_name", Reply.resultSet(List.of(TdsColumn.nvarchar("collation_name", 128),
      TdsColumn.bit("is_computed")), Arrays.asList(null, false), List.of("SQL_Latin1_General_CP1_CI_AS", false),
      List.of("SQL_Latin1_General_CP1_CI_AS", false), List.of("SQL_Latin1_General_CP1_CI_AS", false),
      Arrays.asList(null, false)));
    List<Integer> transactionsAtAlter = new ArrayList<>();
    server.when("ALTER TABLE", (call, session) -> {
      transactionsAtAlter.add(session.transactionCount());
      return Reply.ok();
    });
    List<List<Object>> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(List.of("tenant label " + i, new java.math.BigDecimal("12.3456")));
    }
    driver.appendOutput(outputTable(), LOGIN, new ScriptResult(List.of(
      new ScriptResult.Column("label", "varchar(100)", Types.VARCHAR),
      new ScriptResult.Column("amount", "decimal(12,4)", Types.DECIMAL)), rows)).await();
    assertEquals(List.of("ALTER TABLE [dbo].[Results] ALTER COLUMN [label] nvarchar(max) NULL",
      "ALTER TABLE [dbo].[Results] ALTER COLUMN [amount] decimal(38,4) NULL"),
      server.calls("ALTER TABLE").stream().map(TdsCall::sql).toList());
    assertTrue(transactionsAtAlter.stream().allMatch(open -> open > 0), "under the lock's transaction");
    final List<String> calls = server.calls().stream().map(TdsCall::sql)
      .filter(sql -> sql.contains("sp_getapplock") || sql.startsWith("ALTER") || sql.startsWith("INSERT BULK")
        || sql.contains("COMMIT"))
      .map(sql -> sql.contains("sp_getapplock") ? "lock" : sql.startsWith("ALTER") ? "alter"
        : sql.startsWith("INSERT") ? "bulk" : "commit")
      .toList();
    // setAutoCommit(true) after commit() commits again, a no-op: one commit per transaction is what counts.
    List<String> order = java.util.stream.IntStream.range(0, calls.size())
      .filter(i -> i == 0 || !calls.get(i).equals("commit") || !calls.get(i - 1).equals("commit"))
      .mapToObj(calls::get).toList();
    assertEquals(List.of("lock", "alter", "alter", "commit", "bulk", "commit"), order,
      "the lock is released before the rows go");
    assertEquals(1000, server.requests().stream().filter(r -> r.kind() == TdsRequest.Kind.BULK_LOAD)
      .mapToInt(r -> r.bulkRows().size()).sum());
    assertTrue(server.calls("INSERT INTO").isEmpty(), "no INSERT per row");
  }

  // Connection options (risk 11): TDS 8 and a pinned certificate.

  @Test
  void strict_encryption_starts_with_tls_and_accepts_only_the_pinned_certificate(Vertx vertx) {
    String pem = TestCertificate.get().pemFile().toString();
    Future<ScriptResult> pinned = runWith(vertx, new SqlServerSettings.Connection(true, null, pem, false, "ReadWrite"));
    assertTrue(pinned.succeeded(), () -> "TDS 8 with the server's own certificate pinned: " + pinned.cause()
      + " " + server.failures());
    Future<ScriptResult> unpinned = runWith(vertx, new SqlServerSettings.Connection(true, TestCertificate.OTHER_NAME,
      null, false, "ReadWrite"));
    assertTrue(unpinned.failed(), "strict never trusts a certificate nobody vouches for, whatever its name");
    assertTrue(unpinned.cause().getMessage().toLowerCase(java.util.Locale.ROOT).contains("certificate")
      || unpinned.cause().getMessage().contains("PKIX"), unpinned.cause().getMessage());
    assertEquals(1, server.logins().size(), "only the pinned connection logged in: " + server.logins());
  }

  /** One script through a driver with these connection options and no trust of any certificate. */
  private Future<ScriptResult> runWith(Vertx vertx, SqlServerSettings.Connection connection) {
    Capacity capacity = Capacity.inMemory(Tier.JA100);
    JdbcTargetDriver strict = new JdbcTargetDriver(vertx, new JdbcTargetDriver.Dependencies("sqlserver",
      new SqlServerDialect(connection), new JdbcPools(vertx, workers, capacity, JdbcPools.Settings.DEFAULT), workers,
      TargetAuthenticator.storedCredentials(), false));
    try {
      Future<ScriptResult> result = strict.run(server.serverName(), DATABASE, LOGIN, ConnectionSettings.DEFAULT,
          "SELECT 1", options(false))
        .result();
      result.transform(done -> Future.succeededFuture()).await();
      return result;
    } finally {
      strict.close().await();
    }
  }

  /** The types the output rows reached the server with: RPC parameters, or a bulk load's columns. */
  private List<String> sentTypes() {
    List<TdsCall> inserts = server.calls("INSERT INTO \\[dbo\\]\\.\\[Results\\]");
    if (!inserts.isEmpty()) {
      return inserts.get(inserts.size() - 1).values().stream().map(p -> p.type().name()).toList();
    }
    return server.requests().stream().filter(r -> r.kind() == TdsRequest.Kind.BULK_LOAD)
      .flatMap(r -> r.bulkTypes().stream()).map(t -> t.name()).toList();
  }

  // Dry runs.

  @Test
  void a_dry_run_sends_each_batch_between_begin_tran_and_rollback_and_records_its_rows() {
    server.when("UPDATE dbo.accounts", Reply.updateCount(3));
    server.when("SELECT id FROM dbo.accounts", Reply.resultSet(List.of(TdsColumn.integer("id")), List.of(1),
      List.of(2), List.of(3)));
    ScriptResult result = dryRun("UPDATE dbo.accounts SET balance = 0\nGO\n\nSELECT id FROM dbo.accounts").await();
    assertEquals(List.of(BEGIN, "UPDATE dbo.accounts SET balance = 0", STILL_OPEN, "SELECT id FROM dbo.accounts",
      STILL_OPEN, ROLLBACK, "SELECT @@TRANCOUNT AS open_transactions"), sent());
    assertEquals(List.of(new ScriptResult.StatementCount(1, 1, "UPDATE", 3),
      new ScriptResult.StatementCount(2, 4, "SELECT", 3)), result.statements());
    assertEquals(List.of(List.of(1), List.of(2), List.of(3)), result.rows());
    assertTrue(driver.runsDryRuns());
  }

  @Test
  void a_dry_run_rolls_back_when_a_batch_fails_and_sends_no_later_batch() {
    server.when("UPDATE dbo.accounts", Reply.failure(547, 16, "The UPDATE statement conflicted with the CHECK "
      + "constraint \"CK_balance\"."));
    Throwable failed = failure(dryRun("UPDATE dbo.accounts SET balance = -1\nGO\nSELECT 'never'"));
    assertTrue(failed.getMessage().contains("CK_balance"), failed.getMessage());
    assertEquals(List.of(BEGIN, "UPDATE dbo.accounts SET balance = -1", ROLLBACK), sent().subList(0, 3));
    assertTrue(server.calls("never").isEmpty(), sent().toString());
  }

  @Test
  void a_cancelled_dry_run_still_rolls_back_on_its_session() throws InterruptedException {
    server.when("WAITFOR DELAY", new Reply().pauseUntilAttention(Duration.ofMinutes(1)));
    RunningScript running = driver.run(server.serverName(), DATABASE, LOGIN, ConnectionSettings.DEFAULT,
      "UPDATE dbo.accounts SET balance = 0\nWAITFOR DELAY '00:10:00'", options(false).asDryRun());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.calls("WAITFOR").isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    running.cancel().await();
    failure(running.result());
    List<String> sent = sent();
    int batch = sent.indexOf("UPDATE dbo.accounts SET balance = 0\nWAITFOR DELAY '00:10:00'");
    assertTrue(batch > 0 && sent.subList(batch, sent.size()).contains(ROLLBACK), sent.toString());
    assertTrue(server.requests().stream().anyMatch(r -> r.kind() == TdsRequest.Kind.ATTENTION), "cancelled first");
  }

  @Test
  void a_dry_run_refuses_what_cannot_run_in_a_transaction_before_sending_anything() {
    Throwable backup = failure(dryRun("UPDATE dbo.accounts SET balance = 0\nGO\n-- nightly\nBACKUP DATABASE tenant1 "
      + "TO DISK = N'/backups/t1.bak'"));
    assertTrue(backup.getMessage().contains("batch 2 of 2 (line 3 of the script) cannot be dry-run: runs outside a "
      + "transaction (BACKUP DATABASE at line 4)"), backup.getMessage());
    assertInstanceOf(DryRunRefused.class, backup.getCause());
    assertFalse(TargetFailures.classify(backup).retryable(), "a refusal is not retried");
    Throwable commit = failure(dryRun("BEGIN TRANSACTION\nUPDATE dbo.accounts SET balance = 0\nCOMMIT"));
    assertTrue(commit.getMessage().contains("cannot be dry-run: ends the dry run's transaction (COMMIT at line 3)"),
      commit.getMessage());
    for (String refused : List.of("ALTER DATABASE tenant1 SET RECOVERY SIMPLE", "RECONFIGURE",
      "DBCC SHRINKFILE (tenant1_log, 1)", "CREATE FULLTEXT CATALOG docs", "KILL 53", "ALTER SERVER CONFIGURATION SET "
        + "PROCESS AFFINITY CPU = AUTO", "RESTORE DATABASE t2 FROM DISK = 'x'", "CREATE DATABASE t3",
      "IF @@ERROR <> 0 ROLLBACK", "CREATE PROCEDURE p AS BEGIN UPDATE t SET x = 1; COMMIT END")) {
      assertInstanceOf(DryRunRefused.class, failure(dryRun(refused)).getCause(), refused);
    }
    assertEquals(List.of(), server.requests(), "nothing was sent");
    assertEquals(List.of(), server.logins(), "not even a login");
  }

  @Test
  void a_dry_run_keeps_savepoints_and_names_that_only_look_like_refused_words() {
    server.when("restore_log", Reply.resultSet(List.of(TdsColumn.nvarchar("note", 40)), List.of("ok")));
    // The test server takes any ROLLBACK for the end of every transaction; SQL Server keeps it open after a
    // savepoint's.
    server.when("dry_run_transactions", Reply.resultSet(List.of(TdsColumn.integer("")), List.of(1)));
    dryRun("""
      SAVE TRANSACTION half
      UPDATE dbo.[backup] SET [commit] = 'ROLLBACK' -- COMMIT later
      ROLLBACK TRANSACTION half
      /* BACKUP DATABASE x */ SELECT N'KILL 53' AS note FROM dbo.restore_log
      """).await();
    assertTrue(server.calls("ROLLBACK TRANSACTION half").size() == 1, sent().toString());
  }

  @Test
  void sql_server_refusing_a_statement_in_a_transaction_is_a_dry_run_refusal() {
    server.when("sp_fulltext_database", Reply.failure(574, 16, "ALTER DATABASE statement not allowed within "
      + "multi-statement transaction."));
    Throwable refused = failure(dryRun("EXEC sp_fulltext_database 'enable'"));
    assertTrue(refused.getMessage().contains("cannot be dry-run: runs outside a transaction (ALTER DATABASE "
      + "statement not allowed"), refused.getMessage());
    assertInstanceOf(DryRunRefused.class, refused.getCause());
    assertFalse(TargetFailures.classify(refused).retryable());
    assertTrue(sent().contains(ROLLBACK), sent().toString());
  }

  @Test
  void a_batch_that_ends_the_dry_runs_transaction_stops_the_run() {
    AtomicBoolean committed = new AtomicBoolean();
    server.when("EXEC dbo.nightly_cleanup", (call, session) -> {
      committed.set(true);
      return Reply.ok();
    });
    server.when("dry_run_transactions", (call, session) -> Reply.resultSet(List.of(TdsColumn.integer("")),
      List.of(committed.get() ? 0 : 1)));
    Throwable ended = failure(dryRun("EXEC dbo.nightly_cleanup\nGO\nUPDATE dbo.accounts SET balance = 0"));
    assertTrue(ended.getMessage().contains("batch 1 of 2 (line 1 of the script) cannot be dry-run: ends the dry run's "
      + "transaction"), ended.getMessage());
    assertInstanceOf(DryRunRefused.class, ended.getCause());
    assertTrue(server.calls("UPDATE dbo.accounts").isEmpty(), "nothing after it ran: " + sent());
  }
}
