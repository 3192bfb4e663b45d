package io.fleetjobs.server.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.fleetjobs.common.errors.OutputMismatch;
import io.fleetjobs.common.errors.TargetUnreachable;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.TcpGate;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL driver against a real server: scripts run as psql runs them (statement by statement, stop at
 * the first error, notices kept), output tables, enumeration errors.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PostgresTargetDriverTest {
  private static final Login LOGIN = new Login("postgres", "unused");
  private static TargetServer server;
  private static PostgresTargetDriver driver;

  @BeforeAll
  static void start(Vertx vertx) {
    server = TargetServer.start();
    server.createDatabases("drv_target", "drv_out");
    driver = new PostgresTargetDriver(vertx);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static ScriptOptions options(boolean keepFirstResult) {
    return new ScriptOptions(ActionType.SQL, false, keepFirstResult, "fleetjobs/driver-test/step");
  }
  /**
   * Sessions that wait for the first session's answer to prefer get it on the first session's context; each must
   * still open its connection on its own, where its executor reads its results.
   */
  @Test
  void a_session_waiting_for_the_first_ones_tls_answer_stays_on_its_own_context(Vertx vertx) throws Exception {
    PostgresTargetDriver unasked = new PostgresTargetDriver(vertx);
    List<Context> callers = List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext());
    assertNotSame(callers.get(0), callers.get(1));
    List<CompletableFuture<Context>> answeredOn = callers.stream().map(caller -> {
      CompletableFuture<Context> answered = new CompletableFuture<>();
      caller.runOnContext(now -> unasked.run(server.serverName(), "drv_target", LOGIN,
          ConnectionSettings.sslMode("prefer"), "SELECT 1", options(false)).result()
        .onComplete(done -> answered.complete(Vertx.currentContext())));
      return answered;
    }).toList();
    for (int i = 0; i < callers.size(); i++) {
      assertSame(callers.get(i), answeredOn.get(i).get(30, TimeUnit.SECONDS), "session " + i + "'s results");
    }
    unasked.close().await();
  }

  @Test
  void a_prefer_session_on_a_server_without_tls_holds_one_server_process_not_two() {
    // The server of this class has no TLS; prefer (the default) asks for it and goes on in the clear.
    int before = server.serverProcesses();
    List<Future<ScriptResult>> runs = IntStream.range(0, 5)
      .mapToObj(i -> driver.run(server.serverName(), "drv_target", LOGIN, ConnectionSettings.sslMode("prefer"),
        "SELECT pg_sleep(2) /* prefer-processes */", options(false)).result())
      .toList();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.column("postgres", "SELECT pid FROM pg_stat_activity WHERE query LIKE '%prefer-processes%'"
      + " AND query NOT LIKE '%pg_stat_activity%'").size() < 5) {
      assertTrue(System.nanoTime() < deadline, "the five sessions never ran");
      Executions.sleep(20);
    }
    int during = server.serverProcesses();
    runs.forEach(run -> run.toCompletionStage().toCompletableFuture().join());
    assertEquals(before + 5, during, "one server process for each of the five sessions");
  }

  /**
   * A refused login leaves nothing open on a server without TLS. vertx-pg-client's own prefer left the connection
   * the server had said no to TLS on waiting for a sign-in: a server process each until authentication_timeout (a
   * minute), and on the agent a client that only the garbage collector closed, which an agent's stop then waited
   * 30 s for.
   */
  @Test
  void a_refused_login_in_prefer_leaves_no_connection_open_on_the_server(Vertx vertx) {
    server.requirePassword("drv_refused", "right-password");
    PostgresTargetDriver unasked = new PostgresTargetDriver(vertx);
    Login wrong = new Login("drv_refused", "not-the-password");
    int before = server.serverProcesses();
    List<Future<Void>> logins = IntStream.range(0, 5)
      .mapToObj(i -> unasked.testLogin(server.serverName(), "drv_target", wrong, ConnectionSettings.sslMode("prefer")))
      .toList();
    logins.forEach(login -> assertEquals("28P01", TargetFailures.code(failure(login)).orElse(null)));
    assertEquals("28P01", TargetFailures.code(failure(unasked.testLogin(server.serverName(), "drv_target", wrong,
      ConnectionSettings.sslMode("prefer")))).orElse(null), "a login after the server's answer is known");
    assertNoneLeftWaiting(before);
    unasked.close().await();
  }

  /**
   * A wrong password says nothing of the server's TLS: the answer stands, and each refused session is one
   * connection, not a question and a connection. A wrong password on a fleet of 2,000 databases asked 2,000 times.
   */
  @Test
  void refused_passwords_do_not_ask_the_server_about_tls_again(Vertx vertx) {
    server.requirePassword("drv_asked", "right-password");
    PostgresTargetDriver asking = new PostgresTargetDriver(vertx);
    Login wrong = new Login("drv_asked", "not-the-password");
    try (TcpGate gate = TcpGate.start(vertx, server.port(), TcpGate.State.OPEN)) {
      for (int i = 0; i < 5; i++) {
        assertEquals("28P01", TargetFailures.code(failure(asking.testLogin(gate.serverName(), "drv_target", wrong,
          ConnectionSettings.sslMode("prefer")))).orElse(null));
      }
      assertEquals(1 + 5, gate.accepted(), "one question to the server, then one connection per session");
    } finally {
      asking.close().await();
    }
  }

  /** A mode that needs TLS fails at once on a server without it, and leaves nothing open there either. */
  @Test
  void a_mode_that_needs_tls_fails_on_a_server_without_it_and_leaves_no_connection_open() {
    int before = server.serverProcesses();
    for (String mode : List.of("require", "verify-ca", "verify-full")) {
      Throwable failure = failure(driver.testLogin(server.serverName(), "drv_target", LOGIN,
        ConnectionSettings.sslMode(mode)));
      assertEquals("The server does not offer TLS (sslMode " + mode + ")", failure.getMessage());
    }
    assertNoneLeftWaiting(before);
  }

  /** The server is back to {@code before} processes: none is left waiting for a sign-in (within 10 s). */
  private static void assertNoneLeftWaiting(int before) {
    List<String> titles = server.settledProcessTitles(before);
    assertEquals(before, titles.size(), "server processes left waiting for a sign-in: " + titles);
  }

  private static ScriptResult run(String script) {
    return driver.run(server.serverName(), "drv_target", LOGIN, ConnectionSettings.DEFAULT, script, options(false)).result().await();
  }

  private static Throwable failure(String script, ScriptOptions options) {
    return failure(driver.run(server.serverName(), "drv_target", LOGIN, ConnectionSettings.DEFAULT, script, options).result());
  }

  private static Throwable failure(Future<?> future) {
    return assertThrows(CompletionException.class, () -> future.toCompletionStage().toCompletableFuture().join())
      .getCause();
  }

  private static List<String> column(String query) {
    return server.column("drv_target", query);
  }

  @Test
  void vacuum_and_analyze_run_each_outside_a_transaction_block() {
    List<String> said = run("CREATE TABLE maintained AS SELECT generate_series(1, 100) AS x;\nVACUUM;\nANALYZE;\n"
      + "VACUUM (VERBOSE) maintained;").messages();
    assertEquals(List.of("1"), column("SELECT count(*) FROM pg_stats WHERE tablename = 'maintained'"), "analyzed");
    assertTrue(said.stream().anyMatch(m -> m.startsWith("INFO: vacuuming") && m.contains("maintained")),
      said.toString());
  }

  @Test
  void create_index_concurrently_runs_after_the_statements_before_it_committed() {
    run("CREATE TABLE indexed (x int);\nINSERT INTO indexed SELECT generate_series(1, 1000);\n"
      + "CREATE INDEX CONCURRENTLY indexed_x ON indexed (x);");
    assertEquals(List.of("t"), column("SELECT indisvalid FROM pg_index WHERE indexrelid = 'indexed_x'::regclass"));
  }

  @Test
  void a_failing_statement_stops_the_script_names_its_number_and_line_and_keeps_what_ran_before() {
    String script = """
      CREATE TABLE kept_one (x int);
      INSERT INTO kept_one VALUES (1);
      SELECT x
        FROM kept_one
       WHERE missing = 1;
      CREATE TABLE never_one (x int);""";
    Throwable failed = failure(script, options(false));
    assertInstanceOf(ScriptFailed.class, failed);
    assertTrue(failed.getMessage().startsWith("statement 3 (line 5): ERROR: column \"missing\" does not exist (42703)"),
      "the line of the server's error position: " + failed.getMessage());
    assertEquals(List.of("1"), column("SELECT count(*) FROM kept_one"), "statements 1 and 2 were committed");
    assertEquals(List.of("0"), column("SELECT count(*) FROM pg_tables WHERE tablename = 'never_one'"));
    Retryability retry = TargetFailures.classify(failed);
    assertFalse(retry.retryable(), "the server's error is still the cause the classification reads");
    assertTrue(retry.reason().contains("42703"), retry.reason());
  }

  @Test
  void an_error_without_a_position_is_named_with_the_line_of_its_statement() {
    Throwable failed = failure("SELECT 1;\n\n  -- why\n  DO $$ BEGIN RAISE EXCEPTION 'no position'; END $$;",
      options(false));
    assertTrue(failed.getMessage().startsWith("statement 2 (line 4): ERROR: no position (P0001)"), failed.getMessage());
  }

  @Test
  void the_script_transaction_rolls_everything_back_when_a_statement_fails() {
    ScriptOptions script = new ScriptOptions(ActionType.SQL, true, false, "fleetjobs/driver-test/step");
    Throwable failed = failure("""
      CREATE TABLE all_or_nothing (x int);
      INSERT INTO all_or_nothing VALUES (1);
      SELECT 1 / 0;""", script);
    assertTrue(failed.getMessage().startsWith("statement 3 (line 3): ERROR: division by zero"), failed.getMessage());
    assertEquals(List.of("0"), column("SELECT count(*) FROM pg_tables WHERE tablename = 'all_or_nothing'"));
    driver.run(server.serverName(), "drv_target", LOGIN, ConnectionSettings.DEFAULT,
      "CREATE TABLE all_or_nothing (x int); INSERT INTO all_or_nothing VALUES (1)", script).result().await();
    assertEquals(List.of("1"), column("SELECT count(*) FROM all_or_nothing"), "and commits it all when none does");
    Throwable vacuum = failure("VACUUM", script);
    assertTrue(vacuum.getMessage().contains("VACUUM cannot run inside a transaction block"), vacuum.getMessage());
  }

  @Test
  void explicit_transaction_blocks_are_honoured_and_a_failure_inside_one_leaves_none_open() {
    run("CREATE TABLE blocks (x int); BEGIN; INSERT INTO blocks VALUES (1); INSERT INTO blocks VALUES (2); COMMIT;");
    assertEquals(List.of("2"), column("SELECT count(*) FROM blocks"));
    ScriptOptions named = new ScriptOptions(ActionType.SQL, false, false, "fleetjobs/driver-test/open-block");
    Throwable failed = failure("BEGIN; INSERT INTO blocks VALUES (3); SELECT 1 / 0; COMMIT;", named);
    assertTrue(failed.getMessage().startsWith("statement 3 (line 1)"), failed.getMessage());
    assertEquals(List.of("2"), column("SELECT count(*) FROM blocks"), "the open block was rolled back");
    assertEquals(List.of(), column("SELECT state FROM pg_stat_activity WHERE application_name = "
      + "'fleetjobs/driver-test/open-block' AND state LIKE 'idle in transaction%'"));
  }

  @Test
  void dollar_quoted_bodies_with_semicolons_run_as_one_statement() {
    ScriptResult result = driver.run(server.serverName(), "drv_target", LOGIN, ConnectionSettings.DEFAULT, """
      CREATE FUNCTION joined(a text, b text) RETURNS text LANGUAGE plpgsql AS $body$
      DECLARE
        separator text := $$;$$;
      BEGIN
        RETURN a || separator || b;
      END $body$;
      SELECT joined('x', 'y') AS j;""", options(true)).result().await();
    assertEquals(List.of(List.of("x;y")), result.rows());
  }

  @Test
  void the_first_result_set_of_any_statement_is_kept_and_later_ones_are_not() {
    ScriptResult result = driver.run(server.serverName(), "drv_target", LOGIN, ConnectionSettings.DEFAULT,
      "CREATE TEMP TABLE firsts (x int); SELECT 'first' AS which; SELECT 'second' AS which", options(true))
      .result().await();
    assertEquals(List.of(List.of("first")), result.rows());
  }

  @Test
  void notices_infos_and_warnings_become_messages_and_are_never_logged() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    try {
      ScriptResult result = run("""
        DO $$ BEGIN RAISE NOTICE 'checked % tables', 12; RAISE INFO 'an info'; END $$;
        DO $$ BEGIN RAISE WARNING 'careful' USING HINT = 'look closer'; END $$;""");
      assertEquals(List.of("NOTICE: checked 12 tables", "INFO: an info", "WARNING: careful\nHINT: look closer"),
        result.messages());
      Throwable failed = failure("DO $$ BEGIN RAISE NOTICE 'about to divide'; END $$; SELECT 1 / 0", options(false));
      assertTrue(failed.getMessage().endsWith("\nMessages:\nNOTICE: about to divide"), failed.getMessage());
    } finally {
      root.detachAppender(logs);
    }
    assertEquals(List.of(), logs.list.stream().map(ILoggingEvent::getFormattedMessage)
      .filter(line -> line.contains("notice") || line.contains("tables") || line.contains("divide")).toList());
  }

  @Test
  void messages_are_capped_as_sql_server_prints_are() {
    List<String> messages = run("DO $$ BEGIN FOR i IN 1..250 LOOP RAISE NOTICE 'n%', i; END LOOP; END $$").messages();
    assertEquals(Messages.MAX_MESSAGES + 1, messages.size());
    assertEquals("(50 more messages not kept)", messages.get(messages.size() - 1));
  }

  @Test
  void go_lines_separate_batches_for_the_tsql_action_type_and_are_a_syntax_error_for_sql() {
    String script = "CREATE TEMP TABLE marks (n int)\nGO\nINSERT INTO marks VALUES (1)\nGO 3\n"
      + "SELECT count(*)::int AS runs FROM marks";
    ScriptResult result = driver.run(server.serverName(), "drv_target", LOGIN, ConnectionSettings.DEFAULT, script,
      new ScriptOptions(ActionType.TSQL, false, true, "fleetjobs/driver-test/step")).result().await();
    assertEquals(List.of(List.of(3)), result.rows());
    Throwable failed = failure(script, options(false));
    assertTrue(failed.getMessage().startsWith("statement 1 (line 2): ERROR: syntax error at or near \"GO\""),
      failed.getMessage());
  }

  @Test
  void the_session_shows_its_application_name_and_a_cancel_stops_the_script() {
    RunningScript sleeping = driver.run(server.serverName(), "drv_target", LOGIN, ConnectionSettings.DEFAULT,
      "SELECT pg_sleep(60); CREATE TABLE never_after_cancel (x int)",
      new ScriptOptions(ActionType.SQL, false, false, "fleetjobs/nightly/sleepy"));
    String sessions = "SELECT application_name FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (column(sessions).isEmpty() && System.nanoTime() < deadline) {
      Executions.sleep(50);
    }
    assertEquals(List.of("fleetjobs/nightly/sleepy"), column(sessions));
    sleeping.cancel().await();
    assertTrue(failure(sleeping.result()).getMessage().startsWith("statement 1 (line 1): ERROR: canceling statement"));
    assertEquals(List.of("0"), column("SELECT count(*) FROM pg_tables WHERE tablename = 'never_after_cancel'"));
  }

  @Test
  void the_first_result_set_of_a_multi_statement_script_is_kept_only_when_wanted() {
    String script = "CREATE TEMP TABLE t (x int); INSERT INTO t VALUES (1), (2); SELECT x, x * 10 AS y FROM t ORDER BY x";
    ScriptResult kept = driver.run(server.serverName(), "drv_target", LOGIN, ConnectionSettings.DEFAULT, script, options(true)).result()
      .await();
    assertEquals(List.of("x", "y"), kept.columns().stream().map(ScriptResult.Column::name).toList());
    assertEquals(List.of(List.of(1, 10), List.of(2, 20)), kept.rows());
    assertFalse(driver.run(server.serverName(), "drv_target", LOGIN, ConnectionSettings.DEFAULT, script, options(false)).result().await()
      .hasResultSet(), "without an output table no row is kept");
  }

  @Test
  void an_attempt_run_again_replaces_its_own_output_rows() {
    ScriptResult result = driver.run(server.serverName(), "drv_target", LOGIN, ConnectionSettings.DEFAULT, "SELECT 1 AS one, 'a' AS letter",
      options(true)).result().await();
    UUID execution = UUID.randomUUID();
    OutputTable target = new OutputTable(server.serverName(), "drv_out", "public", "replaced", execution, "srv", "db1");
    driver.appendOutput(target, LOGIN, result).await();
    driver.appendOutput(target, LOGIN, result).await();
    assertEquals(List.of("1"), server.column("drv_out", "SELECT count(*) FROM replaced"), "the re-run replaced its rows");
    driver.appendOutput(new OutputTable(server.serverName(), "drv_out", "public", "replaced", execution, "srv", "db2"),
      LOGIN, result).await();
    assertEquals(List.of("2"), server.column("drv_out", "SELECT count(*) FROM replaced"), "another target appends");
  }

  @Test
  void a_result_that_cannot_become_a_table_fails_without_a_retry() {
    ScriptResult twice = driver.run(server.serverName(), "drv_target", LOGIN, ConnectionSettings.DEFAULT, "SELECT 1, 2", options(true))
      .result().await();
    Throwable failure = assertThrows(CompletionException.class, () -> driver.appendOutput(
      new OutputTable(server.serverName(), "drv_out", "public", "clash", UUID.randomUUID(), "s", "d"), LOGIN, twice)
      .toCompletionStage().toCompletableFuture().join()).getCause();
    assertInstanceOf(OutputMismatch.class, failure, "two columns named ?column?");
  }

  @Test
  void a_server_that_cannot_be_listed_fails_with_its_own_error() {
    Throwable failure = assertThrows(CompletionException.class, () -> driver.listDatabases("127.0.0.1:1", LOGIN, ConnectionSettings.DEFAULT)
      .toCompletionStage().toCompletableFuture().join()).getCause();
    assertInstanceOf(TargetUnreachable.class, failure);
    assertEquals(List.of("drv_out", "drv_target"), driver.listDatabases(server.serverName(), LOGIN, ConnectionSettings.DEFAULT).await());
  }
}
