package io.fleetjobs.server.targets.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.targets.ActionType;
import io.fleetjobs.server.targets.ConnectionSettings;
import io.fleetjobs.server.targets.DryRunRefused;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.RunningScript;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.ScriptResult;
import io.fleetjobs.server.targets.TargetFailures;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.TestMariaDb;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The mysql engine against a real MariaDB server the test starts: enumeration, scripts as the mysql client runs
 * them (DELIMITER, autocommit, stop at the first error, warnings), KILL QUERY on cancel, output tables, which
 * errors are retried, and dry runs.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MysqlTargetDriverTest {
  private static final Login LOGIN = new Login("fleet", "fleet-password");
  private static TestMariaDb server;
  private static MysqlTargetDriver driver;

  @BeforeAll
  static void start(Vertx vertx) {
    server = TestMariaDb.start();
    server.createUser("fleet", "fleet-password");
    server.sql("CREATE DATABASE app_one; CREATE DATABASE app_two; CREATE DATABASE reports;");
    driver = new MysqlTargetDriver(vertx, MysqlTargetDriver.Settings.defaults());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static ScriptOptions options(boolean keepFirstResult) {
    return new ScriptOptions(ActionType.SQL, false, keepFirstResult, "fleetjobs/mysql-test/step");
  }

  private static ScriptResult run(String database, String script) {
    return driver.run(server.serverName(), database, LOGIN, ConnectionSettings.DEFAULT, script, options(true))
      .result().await();
  }

  private static Future<ScriptResult> dryRun(String database, String script) {
    return driver.run(server.serverName(), database, LOGIN, ConnectionSettings.DEFAULT, script,
      options(false).asDryRun()).result();
  }

  private static Throwable failure(Future<?> future) {
    return assertThrows(CompletionException.class, () -> future.toCompletionStage().toCompletableFuture().join())
      .getCause();
  }

  @Test
  void a_server_member_lists_every_schema_but_mysqls_own() {
    List<String> names = driver.listDatabases(server.serverName(), LOGIN, ConnectionSettings.DEFAULT).await();
    assertEquals(List.of("app_one", "app_two", "reports"), names);
  }

  @Test
  void delimiter_scripts_define_routines_and_run_statement_by_statement_in_autocommit() {
    ScriptResult result = run("app_one", """
      CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL);
      INSERT INTO counters VALUES (1, 0);
      DELIMITER //
      CREATE PROCEDURE bump(IN step_by int)
      BEGIN
        UPDATE counters SET n = n + step_by WHERE id = 1;
        SELECT n FROM counters WHERE id = 1;
      END //
      DELIMITER ;
      CALL bump(5);
      CALL bump(2);
      SELECT n, 'done' AS state FROM counters;
      """);
    assertEquals(List.of("n"), result.columns().stream().map(ScriptResult.Column::name).toList(),
      "the first result set is the procedure's");
    assertEquals(List.of(List.of(5)), result.rows());
    assertEquals("7", server.sql("SELECT n FROM app_one.counters"));

    Throwable failed = failure(driver.run(server.serverName(), "app_one", LOGIN, ConnectionSettings.DEFAULT, """
      INSERT INTO counters VALUES (2, 0);
      INSERT INTO no_such_table VALUES (1);
      INSERT INTO counters VALUES (3, 0);
      """, options(false)).result());
    assertTrue(failed.getMessage().contains("no_such_table"), failed.getMessage());
    assertEquals("1\n2", server.sql("SELECT id FROM app_one.counters ORDER BY id"),
      "committed statement by statement, stopped at the first error");
    assertFalse(TargetFailures.classify(failed).retryable(), "a missing table (1146) is not retried");
  }

  @Test
  void warnings_join_the_messages() {
    ScriptResult result = run("app_two", "CREATE TABLE narrow (c varchar(2));\n"
      + "SET SESSION sql_mode = '';\nINSERT INTO narrow VALUES ('truncated');");
    assertTrue(result.messages().stream().anyMatch(m -> m.contains("Data truncated") || m.contains("1265")),
      result.messages().toString());
  }

  @Test
  void cancel_kills_the_running_statement_on_the_server() {
    RunningScript sleeping = driver.run(server.serverName(), "app_one", LOGIN, ConnectionSettings.DEFAULT,
      "SELECT 'fleetjobs-cancel-me', SLEEP(60)", options(false));
    String running = "SELECT count(*) FROM information_schema.processlist WHERE info LIKE '%fleetjobs-cancel-me%' "
      + "AND info NOT LIKE '%processlist%'";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!server.sql(running).equals("1")) {
      assertTrue(System.nanoTime() < deadline, "the statement never showed in the process list");
      Executions.sleep(100);
    }
    sleeping.cancel().await();
    // SLEEP() killed by KILL QUERY returns 1 instead of failing; the run may end either way, promptly.
    sleeping.result().transform(done -> Future.succeededFuture()).await();
    assertEquals("0", server.sql(running), "gone from the server's process list");
  }

  @Test
  void output_tables_get_mysql_types_an_index_and_replace_a_rerun() {
    ScriptResult result = run("app_one", "SELECT 1 AS one, 'a' AS letter, NOW() AS at, 2.5 AS amount");
    UUID execution = UUID.randomUUID();
    OutputTable table = new OutputTable(server.serverName(), "reports", "reports", "results", execution, "s1",
      "app_one", null);
    driver.appendOutput(table, LOGIN, result).await();
    driver.appendOutput(table, LOGIN, result).await();
    assertEquals("1", server.sql("SELECT count(*) FROM reports.results"), "a re-run replaced its own rows");
    driver.appendOutput(new OutputTable(server.serverName(), "reports", "reports", "results", execution, "s1",
      "app_two", null), LOGIN, result).await();
    assertEquals("2", server.sql("SELECT count(*) FROM reports.results"), "another target appends");
    String indexed = server.sql("SELECT count(*) FROM information_schema.statistics WHERE table_schema = 'reports' "
      + "AND table_name = 'results' AND column_name = 'internal_execution_id'");
    assertEquals("1", indexed);
    String types = server.sql("SELECT column_name, data_type FROM information_schema.columns "
      + "WHERE table_schema = 'reports' AND table_name = 'results' AND column_name IN ('one', 'letter', 'at') "
      + "ORDER BY column_name");
    assertTrue(types.matches("(?s)at\tdatetime.*\nletter\t(varchar|text|mediumtext|longtext)\none\t(int|bigint)"),
      types);
  }

  @Test
  void a_refused_login_fails_fast_and_a_deadlock_would_be_retried() {
    Throwable refused = failure(driver.testLogin(server.serverName(), "app_one", new Login("fleet", "wrong"),
      ConnectionSettings.DEFAULT));
    assertTrue(refused.getMessage().contains("Access denied"), refused.getMessage());
    assertFalse(TargetFailures.classify(refused).retryable(), "1045 is not retried");
    Throwable syntax = failure(driver.run(server.serverName(), "app_one", LOGIN, ConnectionSettings.DEFAULT,
      "SELEC 1", options(false)).result());
    assertFalse(TargetFailures.classify(syntax).retryable(), "1064 is not retried");
    Throwable lockWait = failure(driver.run(server.serverName(), "app_one", LOGIN, ConnectionSettings.DEFAULT,
      "SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found'", options(false)).result());
    assertTrue(TargetFailures.classify(lockWait).retryable(), "1213 is retried: " + lockWait.getMessage());
  }

  @Test
  void a_dry_run_reports_the_rows_each_statement_affected_and_changes_nothing() {
    server.sql("CREATE TABLE app_two.dry_t (id int PRIMARY KEY, x int NOT NULL); "
      + "INSERT INTO app_two.dry_t VALUES (1, 0), (2, 0), (3, 0), (4, 0);");
    ScriptResult result = dryRun("app_two", """
      -- set every x
      UPDATE dry_t SET x = 1;
      SELECT id, x FROM dry_t ORDER BY id;
      """).await();
    assertEquals(List.of(new ScriptResult.StatementCount(1, 2, "UPDATE", 4),
      new ScriptResult.StatementCount(2, 3, "SELECT", 4)), result.statements());
    assertEquals(List.of("id", "x"), result.columns().stream().map(ScriptResult.Column::name).toList());
    assertEquals(List.of(List.of(1, 1), List.of(2, 1), List.of(3, 1), List.of(4, 1)), result.rows(),
      "inside the transaction the update is seen");
    assertEquals("0", server.sql("SELECT count(*) FROM app_two.dry_t WHERE x = 1"), "rolled back");
    assertTrue(driver.runsDryRuns());
  }

  @Test
  void a_dry_run_refuses_ddl_before_any_statement_runs() {
    // MyISAM ignores transactions: a row in it would outlive the rollback, had the first statement run.
    server.sql("CREATE TABLE app_two.dry_log (n int) ENGINE=MyISAM; "
      + "CREATE TABLE app_two.dry_shape (id int PRIMARY KEY);");
    Throwable created = failure(dryRun("app_two", "INSERT INTO dry_log VALUES (1);\n\nCREATE TABLE made_by_a_dry_run "
      + "(x int);"));
    assertTrue(created.getMessage().contains("statement 2 (line 3) cannot be dry-run: commits implicitly (CREATE TABLE "
      + "at line 3)"), created.getMessage());
    assertInstanceOf(DryRunRefused.class, created.getCause());
    assertFalse(TargetFailures.classify(created).retryable(), "a refusal is not retried");
    Throwable altered = failure(dryRun("app_two", "INSERT INTO dry_log VALUES (2);\n/*!40101 ALTER TABLE dry_shape "
      + "ADD COLUMN y int */;"));
    assertTrue(altered.getMessage().contains("commits implicitly (ALTER TABLE at line 2)"), altered.getMessage());
    assertEquals("0", server.sql("SELECT count(*) FROM app_two.dry_log"), "no statement of either script ran");
    assertEquals("0", server.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'app_two' "
      + "AND table_name = 'made_by_a_dry_run'"));
    assertEquals("id", server.sql("SELECT column_name FROM information_schema.columns WHERE table_schema = 'app_two' "
      + "AND table_name = 'dry_shape'"), "the table is as it was");
    for (String committing : List.of("COMMIT", "START TRANSACTION", "LOCK TABLES dry_shape WRITE",
      "SET autocommit = 1", "GRANT SELECT ON app_two.* TO 'fleet'@'%'", "TRUNCATE dry_shape",
      "OPTIMIZE TABLE dry_shape", "ROLLBACK", "LOAD DATA INFILE '/tmp/x' INTO TABLE dry_shape")) {
      assertInstanceOf(DryRunRefused.class, failure(dryRun("app_two", committing)).getCause(), committing);
    }
  }

  @Test
  void a_dry_run_keeps_what_a_transaction_may_hold() {
    ScriptResult result = dryRun("app_two", """
      CREATE TEMPORARY TABLE scratch (n int);
      INSERT INTO scratch VALUES (1), (2);
      SAVEPOINT half;
      DELETE FROM scratch;
      ROLLBACK TO SAVEPOINT half;
      SET autocommit = 0;
      SELECT count(*) AS n FROM scratch;
      """).await();
    assertEquals(List.of(List.of(2L)), result.rows());
  }

  @Test
  void a_dry_run_stops_where_a_procedure_ended_its_transaction() {
    server.sql("CREATE TABLE app_one.guarded (x int) ENGINE=InnoDB; INSERT INTO app_one.guarded VALUES (0); "
      + "CREATE PROCEDURE app_one.commits_inside() COMMIT;");
    Throwable ended = failure(dryRun("app_one", "CALL commits_inside();\nUPDATE guarded SET x = 4;"));
    assertTrue(ended.getMessage().contains("statement 1 (line 1) cannot be dry-run: ends the dry run's transaction "
      + "(@@in_transaction is 0 after it)"), ended.getMessage());
    assertEquals("0", server.sql("SELECT x FROM app_one.guarded"), "nothing after it ran");
  }

  @Test
  void a_failing_statement_fails_that_dry_run_and_rolls_back_what_ran_before_it() {
    server.sql("CREATE TABLE app_one.failing (x int) ENGINE=InnoDB; INSERT INTO app_one.failing VALUES (0);");
    Throwable failed = failure(dryRun("app_one", "UPDATE failing SET x = 5;\nSELECT * FROM no_such_table;"));
    assertTrue(failed.getMessage().contains("statement 2 (line 2): ERROR 1146"), failed.getMessage());
    assertEquals("0", server.sql("SELECT count(*) FROM app_one.failing WHERE x = 5"));
  }
}
