package io.fleetjobs.server.targets.sqlserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.Tier;
import io.fleetjobs.common.errors.OutputMismatch;
import io.fleetjobs.server.targets.ActionType;
import io.fleetjobs.server.targets.ConnectionSettings;
import io.fleetjobs.server.targets.DryRunRefused;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.RunningScript;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.ScriptResult;
import io.fleetjobs.server.targets.TargetWorkerPool;
import io.fleetjobs.server.targets.jdbc.JdbcAuth;
import io.fleetjobs.server.targets.jdbc.JdbcPools;
import io.fleetjobs.server.targets.jdbc.JdbcTargetDriver;
import io.fleetjobs.server.targets.jdbc.TargetAuthenticator;
import io.fleetjobs.server.testsupport.Executions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sqlserver driver against a real SQL Server, when FLEETJOBS_TEST_MSSQL_URL names one, for example
 * {@code sqlserver://sa:Str0ng%21Pass@localhost:1433?trustServerCertificate=true} (user and password
 * percent-encoded; the login must be allowed to create databases). Without it the class is skipped, with
 * that reason in the test report.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RealSqlServerTest {
  private static final String ENV = "FLEETJOBS_TEST_MSSQL_URL";
  private static final String DATABASE = "fleetjobs_it_" + ProcessHandle.current().pid();
  private static String serverName;
  private static Login login;
  private static boolean trust;
  private static TargetWorkerPool workers;
  private static JdbcTargetDriver driver;

  @BeforeAll
  static void start(Vertx vertx) throws SQLException {
    String url = System.getenv(ENV);
    if (url == null || url.isBlank()) {
      return;
    }
    URI uri = URI.create(url);
    String[] user = uri.getRawUserInfo().split(":", 2);
    serverName = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    login = new Login(decode(user[0]), decode(user[1]));
    trust = uri.getQuery() != null && uri.getQuery().contains("trustServerCertificate=true");
    Capacity capacity = Capacity.inMemory(Tier.JA100);
    workers = TargetWorkerPool.open(vertx, capacity);
    driver = new JdbcTargetDriver(vertx, new JdbcTargetDriver.Dependencies("sqlserver", new SqlServerDialect(),
      new JdbcPools(vertx, workers, capacity, JdbcPools.Settings.DEFAULT), workers,
      TargetAuthenticator.storedCredentials(), trust));
    execute("master", "CREATE DATABASE " + DATABASE);
  }

  /** Each test is reported as skipped, with the reason, where no SQL Server is named. */
  @BeforeEach
  void needsSqlServer() {
    assumeTrue(driver != null, ENV + " is not set: no SQL Server to test against (see README, Tests)");
  }

  @AfterAll
  static void stop() throws SQLException {
    if (driver == null) {
      return;
    }
    driver.close().await();
    workers.close().await();
    execute("master", "ALTER DATABASE " + DATABASE + " SET SINGLE_USER WITH ROLLBACK IMMEDIATE",
      "DROP DATABASE " + DATABASE);
  }

  @Test
  void the_server_lists_its_online_user_databases() {
    List<String> names = driver.listDatabases(serverName, login, ConnectionSettings.DEFAULT).await();
    assertTrue(names.contains(DATABASE) && !names.contains("master") && !names.contains("tempdb"), names.toString());
  }

  @Test
  void go_batches_run_in_order_print_messages_are_kept_and_the_first_result_set_comes_back() {
    ScriptResult result = driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT, """
      CREATE TABLE #marks (n int)
      GO
      INSERT INTO #marks VALUES (1)
      GO 3
      PRINT 'counted'
      SELECT COUNT(*) AS runs, CAST(N'done' AS nvarchar(10)) AS status, CAST(1.5 AS decimal(5,2)) AS amount FROM #marks
      GO
      """, options(true)).result().await();
    assertEquals(List.of("int", "nvarchar(10)", "decimal(5,2)"),
      result.columns().stream().map(ScriptResult.Column::typeName).toList());
    assertEquals(3, result.rows().get(0).get(0));
    assertEquals(List.of("counted"), result.messages());
  }

  @Test
  void a_failing_batch_stops_the_script() {
    Throwable failed = failure(driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
      "PRINT 'before'\nGO\nSELECT 1/0\nGO\nCREATE TABLE never_made (x int)", options(false)).result());
    assertTrue(failed.getMessage().contains("batch 2 of 3") && failed.getMessage().contains("Messages:\nbefore"),
      failed.getMessage());
    assertEquals(List.of(), column("SELECT name FROM sys.tables WHERE name = 'never_made'"));
  }

  @Test
  void a_script_transaction_rolls_every_batch_back_and_sessions_show_their_step() {
    ScriptOptions single = new ScriptOptions(ActionType.TSQL, true, false, ScriptOptions.applicationName("real", "step"));
    Throwable failed = failure(driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
      "CREATE TABLE dbo.AllOrNothing (x int)\nGO\nINSERT INTO dbo.AllOrNothing VALUES (1)\nGO\nSELECT 1/0", single)
      .result());
    assertTrue(failed.getMessage().contains("batch 3 of 3"), failed.getMessage());
    assertEquals(List.of(), column("SELECT name FROM sys.tables WHERE name = 'AllOrNothing'"));
    ScriptResult program = driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT, "SELECT PROGRAM_NAME() AS program",
      options(true)).result().await();
    assertEquals(List.of(List.of("fleetjobs/real/step")), program.rows());
  }

  @Test
  void a_cancel_stops_the_statement_on_the_server() {
    RunningScript waiting = driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT, "WAITFOR DELAY '00:02:00'", options(false));
    String running = "SELECT COUNT(*) FROM sys.dm_exec_requests WHERE command = 'WAITFOR' AND session_id <> @@SPID";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (column(running).equals(List.of("0")) && System.nanoTime() < deadline) {
      Executions.sleep(100);
    }
    waiting.cancel().await();
    failure(waiting.result());
    assertEquals(List.of("0"), column(running));
  }

  @Test
  void the_output_table_gets_a_uniqueidentifier_and_its_index_and_a_premade_table_is_checked() throws SQLException {
    ScriptResult result = driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT, "SELECT DB_NAME() AS db, 42 AS answer", options(true))
      .result().await();
    UUID execution = UUID.randomUUID();
    OutputTable table = new OutputTable(serverName, DATABASE, "dbo", "Runs", execution, "srv", "db1");
    driver.appendOutput(table, login, result).await();
    driver.appendOutput(table, login, result).await();
    assertEquals(List.of("1"), column("SELECT COUNT(*) FROM dbo.Runs"));
    assertEquals(List.of("uniqueidentifier"), column("SELECT t.name FROM sys.columns c JOIN sys.types t "
      + "ON t.user_type_id = c.user_type_id WHERE c.object_id = OBJECT_ID('dbo.Runs') AND c.name = 'internal_execution_id'"));
    assertEquals(List.of("IX_Runs_Internal_Execution_ID"),
      column("SELECT name FROM sys.indexes WHERE object_id = OBJECT_ID('dbo.Runs') AND name IS NOT NULL"));

    execute(DATABASE, "CREATE TABLE dbo.Premade (internal_execution_id uniqueidentifier, target_server_name "
      + "nvarchar(256), target_database_name nvarchar(128), db nvarchar(128), answer int)");
    Throwable unindexed = failure(driver.appendOutput(new OutputTable(serverName, DATABASE, "dbo", "Premade", execution,
      "srv", "db1"), login, result));
    assertInstanceOf(OutputMismatch.class, unindexed);
    assertTrue(unindexed.getMessage().contains("[IX_Premade_Internal_Execution_ID]"), unindexed.getMessage());
  }

  // Issue 13's defects, on a real server.

  @Test
  void defect_1_the_output_write_takes_its_lock_inside_a_transaction() {
    ScriptResult result = new ScriptResult(List.of(new ScriptResult.Column("n", "int", Types.INTEGER)),
      List.of(List.of(1), List.of(2)));
    driver.appendOutput(new OutputTable(serverName, DATABASE, "dbo", "Locked", UUID.randomUUID(), "srv", "db1"),
      login, result).await();
    assertEquals(List.of("2"), column("SELECT COUNT(*) FROM dbo.Locked"), "sp_getapplock returned no -999");
  }

  @Test
  void defect_2_an_error_raised_after_rows_fails_the_script_even_when_no_row_is_kept() {
    Throwable failed = failure(driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
      "SELECT n FROM (VALUES (1), (2), (0)) v(n) ORDER BY n DESC; SELECT 1 / n FROM (VALUES (1), (0)) v(n)",
      options(false)).result());
    assertTrue(failed.getMessage().contains("Divide by zero"), failed.getMessage());
  }

  @Test
  void defect_3_a_pooled_session_is_reset_before_the_next_script() {
    driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
      "CREATE TABLE #leak (x int); SET LOCK_TIMEOUT 0; SET CONTEXT_INFO 0x01; SET ROWCOUNT 1", options(false))
      .result().await();
    ScriptResult next = driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
      "SELECT OBJECT_ID('tempdb..#leak') AS leak, @@LOCK_TIMEOUT AS lock_timeout, CONTEXT_INFO() AS context "
        + "FROM (VALUES (1), (2)) v(n)", options(true)).result().await();
    assertEquals(2, next.rows().size(), "ROWCOUNT 1 did not carry over");
    assertEquals(java.util.Arrays.asList(null, -1, null), next.rows().get(0), next.rows().toString());
  }

  @Test
  void defect_4_a_transaction_left_open_fails_the_target_and_is_rolled_back() {
    Throwable failed = failure(driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
      "BEGIN TRANSACTION\nCREATE TABLE dbo.NeverCommitted (x int)", options(false)).result());
    assertTrue(failed.getMessage().contains("left 1 transaction open"), failed.getMessage());
    assertEquals(List.of(), column("SELECT name FROM sys.tables WHERE name = 'NeverCommitted'"));
  }

  @Test
  void defect_5_nulls_reach_binary_output_columns() {
    ScriptResult result = driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
      "SELECT CAST(NULL AS varbinary(16)) AS payload, CAST(0x0102 AS varbinary(16)) AS bytes, N'x' AS label",
      options(true)).result().await();
    driver.appendOutput(new OutputTable(serverName, DATABASE, "dbo", "Binary", UUID.randomUUID(), "srv", "db1"),
      login, result).await();
    assertEquals(List.of("1"), column("SELECT COUNT(*) FROM dbo.Binary WHERE payload IS NULL AND bytes = 0x0102"));
  }

  @Test
  void risk_8_a_later_tenants_longer_text_and_finer_decimals_fit() {
    OutputTable table = new OutputTable(serverName, DATABASE, "dbo", "Widened", UUID.randomUUID(), "srv", "db1");
    driver.appendOutput(table, login, driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
      "SELECT CAST('short' AS varchar(5)) AS label, CAST(1.5 AS decimal(5,1)) AS amount", options(true))
      .result().await()).await();
    driver.appendOutput(new OutputTable(serverName, DATABASE, "dbo", "Widened", UUID.randomUUID(), "srv", "db2"), login,
      driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
        "SELECT CAST(REPLICATE(N'\u00e9', 200) AS nvarchar(200)) AS label, CAST(1.2345 AS decimal(10,4)) AS amount",
        options(true)).result().await()).await();
    assertEquals(List.of("1.2345"), column("SELECT CAST(amount AS varchar(20)) FROM dbo.Widened "
      + "WHERE target_database_name = 'db2'"));
  }

  @Test
  void risk_6_the_listing_leaves_out_snapshots_and_single_user_databases() throws SQLException {
    String single = DATABASE + "_single";
    execute("master", "CREATE DATABASE " + single, "ALTER DATABASE " + single + " SET SINGLE_USER");
    try {
      List<String> names = driver.listDatabases(serverName, login, ConnectionSettings.DEFAULT).await();
      assertTrue(names.contains(DATABASE) && !names.contains(single), names.toString());
    } finally {
      execute("master", "ALTER DATABASE " + single + " SET MULTI_USER", "DROP DATABASE " + single);
    }
  }

  // Dry runs.

  @Test
  void a_dry_run_reports_each_batchs_rows_and_changes_nothing() throws SQLException {
    execute(DATABASE, "CREATE TABLE dbo.DryAccounts (id int PRIMARY KEY, balance int NOT NULL)",
      "INSERT INTO dbo.DryAccounts VALUES (1, 10), (2, 20), (3, 30)");
    ScriptResult result = driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT, """
      UPDATE dbo.DryAccounts SET balance = 0
      GO
      SELECT id, balance FROM dbo.DryAccounts ORDER BY id
      """, options(false).asDryRun()).result().await();
    assertEquals(List.of(new ScriptResult.StatementCount(1, 1, "UPDATE", 3),
      new ScriptResult.StatementCount(2, 3, "SELECT", 3)), result.statements());
    assertEquals(List.of(List.of(1, 0), List.of(2, 0), List.of(3, 0)), result.rows(), "seen inside the transaction");
    assertEquals(List.of("0"), column("SELECT COUNT(*) FROM dbo.DryAccounts WHERE balance = 0"), "rolled back");
    assertEquals(List.of("0"), column("SELECT COUNT(*) FROM sys.dm_tran_session_transactions t "
      + "JOIN sys.dm_exec_sessions s ON s.session_id = t.session_id WHERE s.program_name = 'fleetjobs/real/step'"),
      "no transaction stays open on the pooled session");
  }

  @Test
  void a_dry_run_rolls_back_a_failing_batch_and_refuses_what_cannot_run_in_a_transaction() throws SQLException {
    execute(DATABASE, "CREATE TABLE dbo.DryFailing (x int)", "INSERT INTO dbo.DryFailing VALUES (0)");
    failure(driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
      "UPDATE dbo.DryFailing SET x = 7\nGO\nSELECT 1/0", options(false).asDryRun()).result());
    assertEquals(List.of("0"), column("SELECT x FROM dbo.DryFailing"));

    Throwable refused = failure(driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
      "CREATE TABLE dbo.NeverDry (x int)\nGO\nALTER DATABASE CURRENT SET RECOVERY SIMPLE", options(false).asDryRun())
      .result());
    assertInstanceOf(DryRunRefused.class, refused.getCause());
    assertEquals(List.of(), column("SELECT name FROM sys.tables WHERE name = 'NeverDry'"), "nothing was sent");

    // Dynamic SQL hides the statement from the check before sending: SQL Server refuses it (226 or 574).
    String recovery = "SELECT recovery_model_desc FROM sys.databases WHERE name = DB_NAME()";
    List<String> before = column(recovery);
    Throwable dynamic = failure(driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
      "EXEC ('ALTER DATABASE CURRENT SET RECOVERY ' + (CASE WHEN DATABASEPROPERTYEX(DB_NAME(), 'Recovery') = "
        + "'SIMPLE' THEN 'FULL' ELSE 'SIMPLE' END))", options(false).asDryRun()).result());
    assertTrue(dynamic.getMessage().contains("cannot be dry-run: runs outside a transaction"), dynamic.getMessage());
    assertInstanceOf(DryRunRefused.class, dynamic.getCause());
    assertEquals(before, column(recovery));
  }

  @Test
  void a_dry_run_stops_at_a_batch_that_commits_its_transaction() {
    Throwable ended = failure(driver.run(serverName, DATABASE, login, ConnectionSettings.DEFAULT,
      "EXEC ('COMMIT')\nGO\nCREATE TABLE dbo.AfterDryCommit (x int)", options(false).asDryRun()).result());
    assertTrue(ended.getMessage().contains("batch 1 of 2"), ended.getMessage());
    assertEquals(List.of(), column("SELECT name FROM sys.tables WHERE name = 'AfterDryCommit'"),
      "nothing after it ran");
  }

  /** sqlcmd's batches, each committed on its own, as a step of job "real" named "step" runs them. */
  private static ScriptOptions options(boolean keepFirstResult) {
    return new ScriptOptions(ActionType.TSQL, false, keepFirstResult, ScriptOptions.applicationName("real", "step"));
  }

  private static Throwable failure(Future<?> future) {
    return assertThrows(CompletionException.class, () -> future.toCompletionStage().toCompletableFuture().join())
      .getCause();
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  private static Connection connect(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlserver://", new SqlServerDialect().endpoint(serverName, database,
      new JdbcAuth.Password(login), trust, ScriptOptions.AGENT_APPLICATION_NAME).properties());
  }

  private static void execute(String database, String... statements) throws SQLException {
    try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static List<String> column(String query) {
    try (Connection connection = connect(DATABASE); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery(query)) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
