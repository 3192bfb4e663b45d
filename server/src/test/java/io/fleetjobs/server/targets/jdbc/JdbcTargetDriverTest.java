package io.fleetjobs.server.targets.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.Tier;
import io.fleetjobs.common.errors.OutputMismatch;
import io.fleetjobs.common.errors.TargetUnreachable;
import io.fleetjobs.server.targets.ActionType;
import io.fleetjobs.server.targets.ConnectionSettings;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.RunningScript;
import io.fleetjobs.server.targets.ScriptFailed;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.ScriptResult;
import io.fleetjobs.server.targets.TargetWorkerPool;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sqlserver engine's JDBC path, end to end against a real PostgreSQL through its JDBC driver: the same
 * pools, threads, batches, results, messages, cancellation, output and enumeration code, another dialect.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JdbcTargetDriverTest {
  private static final Login LOGIN = new Login("postgres", "unused");
  private static TargetServer server;
  private static TargetWorkerPool workers;
  private static JdbcPools pools;
  private static JdbcTargetDriver driver;
  private static final Capacity capacity = Capacity.inMemory(Tier.JA100);

  @BeforeAll
  static void start(Vertx vertx) {
    server = TargetServer.start();
    server.createDatabases("jdbc_target", "jdbc_out", "jdbc_pooled");
    server.execute("postgres", "COMMENT ON DATABASE jdbc_pooled IS 'pool-1'");
    workers = TargetWorkerPool.open(vertx, capacity);
    pools = new JdbcPools(vertx, workers, capacity, new JdbcPools.Settings(Duration.ofSeconds(1),
      Duration.ofSeconds(30), Duration.ofSeconds(10)));
    driver = new JdbcTargetDriver(vertx, new JdbcTargetDriver.Dependencies("sqlserver", new PostgresJdbcDialect(), pools,
      workers, TargetAuthenticator.storedCredentials(), false));
  }

  @AfterAll
  static void stop() {
    driver.close().await();
    workers.close().await();
    server.close();
  }

  private static ScriptResult run(String script, boolean keep) {
    return driver.run(server.serverName(), "jdbc_target", LOGIN, ConnectionSettings.DEFAULT, script, options(keep)).result().await();
  }

  /** sqlcmd's batches, each committed on its own, under the agent's plain application name. */
  private static ScriptOptions options(boolean keepFirstResult) {
    return new ScriptOptions(ActionType.TSQL, false, keepFirstResult, ScriptOptions.AGENT_APPLICATION_NAME);
  }

  private static Throwable failure(Future<?> future) {
    return assertThrows(CompletionException.class, () -> future.toCompletionStage().toCompletableFuture().join())
      .getCause();
  }

  @Test
  void blocking_jdbc_work_runs_on_the_target_worker_pool() {
    String thread = pools.withConnection("thread-check", () -> new PostgresJdbcDialect().endpoint(server.serverName(),
      "jdbc_target", new JdbcAuth.Password(LOGIN), false, ScriptOptions.AGENT_APPLICATION_NAME),
      connection -> Thread.currentThread().getName()).await();
    assertTrue(thread.startsWith(TargetWorkerPool.NAME), thread);
  }

  @Test
  void batches_run_in_order_on_one_session_and_go_n_repeats_a_batch() {
    ScriptResult result = run("""
      CREATE TEMP TABLE marks (n int)
      GO
      INSERT INTO marks VALUES (1)
      GO 3
      SELECT count(*)::int AS runs, 'done' AS status FROM marks
      go
      SELECT 'second result set' AS ignored
      """, true);
    assertEquals(List.of("runs", "status"), result.columns().stream().map(ScriptResult.Column::name).toList());
    assertEquals(List.of("int4", "text"), result.columns().stream().map(ScriptResult.Column::typeName).toList());
    assertEquals(List.of(List.of(3, "done")), result.rows(), "the temp table lived through every batch");
    assertTrue(run("SELECT 1 AS one", false).rows().isEmpty(), "without an output table no row is kept");
  }

  @Test
  void the_first_failing_batch_stops_the_script_and_is_named_with_the_messages_before_it() {
    server.execute("jdbc_target", "CREATE TABLE IF NOT EXISTS after_failure (x int)");
    Throwable failed = failure(driver.run(server.serverName(), "jdbc_target", LOGIN, ConnectionSettings.DEFAULT, """
      DO $$ BEGIN RAISE NOTICE 'about to divide'; END $$
      GO
      SELECT 1 / 0
      GO
      INSERT INTO after_failure VALUES (1)
      """, options(false)).result());
    assertInstanceOf(ScriptFailed.class, failed);
    assertTrue(failed.getMessage().contains("batch 2 of 3 (line 3 of the script) failed")
      && failed.getMessage().contains("division by zero")
      && failed.getMessage().contains("Messages:\nabout to divide"), failed.getMessage());
    assertEquals(List.of("0"), server.column("jdbc_target", "SELECT count(*) FROM after_failure"),
      "no batch after the failing one ran");
  }

  @Test
  void notices_are_captured_as_the_runs_messages() {
    ScriptResult result = run("""
      DO $$ BEGIN RAISE NOTICE 'checked % tables', 12; END $$;
      SELECT 1 AS one
      GO
      DO $$ BEGIN RAISE NOTICE 'second batch'; END $$
      """, true);
    assertEquals(List.of("checked 12 tables", "second batch"), result.messages());
  }

  @Test
  void a_script_transaction_holds_every_batch_and_rolls_them_all_back_when_one_fails() {
    ScriptOptions single = new ScriptOptions(ActionType.TSQL, true, false, ScriptOptions.AGENT_APPLICATION_NAME);
    Throwable failed = failure(driver.run(server.serverName(), "jdbc_target", LOGIN, ConnectionSettings.DEFAULT,
      "CREATE TABLE jdbc_all (x int)\nGO\nINSERT INTO jdbc_all VALUES (1)\nGO\nSELECT 1 / 0", single).result());
    assertTrue(failed.getMessage().contains("batch 3 of 3") && failed.getMessage().contains("division by zero"),
      failed.getMessage());
    assertEquals(List.of("0"), server.column("jdbc_target",
      "SELECT count(*) FROM pg_tables WHERE tablename = 'jdbc_all'"));
    driver.run(server.serverName(), "jdbc_target", LOGIN, ConnectionSettings.DEFAULT,
      "CREATE TABLE jdbc_all (x int)\nGO\nINSERT INTO jdbc_all VALUES (1)", single).result().await();
    assertEquals(List.of("1"), server.column("jdbc_target", "SELECT count(*) FROM jdbc_all"), "committed at the end");
    run("CREATE TABLE jdbc_autocommitted (x int)", false);
    assertEquals(List.of("1"), server.column("jdbc_target",
      "SELECT count(*) FROM pg_tables WHERE tablename = 'jdbc_autocommitted'"),
      "pooled sessions went back to autocommit");
  }

  @Test
  void each_step_gets_sessions_named_after_it() {
    String app = "SELECT current_setting('application_name')";
    for (String step : List.of("first", "second", "first")) {
      String name = ScriptOptions.applicationName("nightly", step);
      assertEquals(List.of(List.of(name)), driver.run(server.serverName(), "jdbc_target", LOGIN, ConnectionSettings.DEFAULT, app,
        new ScriptOptions(ActionType.TSQL, false, true, name)).result().await().rows());
    }
  }

  @Test
  void the_sql_action_type_sends_the_whole_script_as_one_batch() {
    ScriptOptions sql = new ScriptOptions(ActionType.SQL, false, false, ScriptOptions.AGENT_APPLICATION_NAME);
    Throwable failed = failure(driver.run(server.serverName(), "jdbc_target", LOGIN, ConnectionSettings.DEFAULT,
      "CREATE TABLE jdbc_whole (x int)\nGO\nSELECT 2", sql).result());
    assertTrue(failed.getMessage().contains("syntax error at or near \"GO\""), "GO is no separator: "
      + failed.getMessage());
  }

  @Test
  void a_cancel_stops_the_running_statement_on_the_server() {
    RunningScript sleeping = driver.run(server.serverName(), "jdbc_target", LOGIN, ConnectionSettings.DEFAULT,
      "SELECT 'fleetjobs-cancel-me', pg_sleep(60)", options(false));
    String activeSleep = "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
      + "AND query LIKE 'SELECT ''fleetjobs-cancel-me''%'";
    awaitColumn(activeSleep, "1");
    sleeping.cancel().await();
    Throwable failed = failure(sleeping.result());
    assertTrue(failed.getMessage().contains("canceling statement due to user request"), failed.getMessage());
    awaitColumn(activeSleep, "0");

    RunningScript early = driver.run(server.serverName(), "jdbc_target", LOGIN, ConnectionSettings.DEFAULT, "SELECT pg_sleep(60)",
      options(false));
    early.cancel();
    String message = failure(early.result()).getMessage();
    assertTrue(message.contains("Canceled before") || message.contains("canceling statement"), message);
  }

  @Test
  void a_connection_the_server_killed_fails_at_most_one_run_and_is_never_handed_out_again() {
    String pid = run("SELECT pg_backend_pid()::text AS pid", true).rows().get(0).get(0).toString();
    server.execute("postgres", "SELECT pg_terminate_backend(" + pid + ")");
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      try {
        run("SELECT 1", false);
        outcomes.add("ok");
      } catch (Exception e) {
        outcomes.add("failed: " + e.getMessage());
      }
    }
    // Which idle connection of the pool comes first is the pool's choice; the dead one fails once at most.
    int firstFailure = outcomes.indexOf(outcomes.stream().filter(o -> !o.equals("ok")).findFirst().orElse("ok"));
    assertTrue(outcomes.stream().filter(o -> !o.equals("ok")).count() <= 1
      && outcomes.subList(firstFailure + 1, outcomes.size()).stream().allMatch("ok"::equals),
      "after the dead connection fails once, its pool is retired: " + outcomes);
  }

  @Test
  void the_output_table_is_created_with_its_index_and_an_attempt_run_again_replaces_its_rows() {
    ScriptResult result = run("SELECT 1 AS one, 'a'::text AS letter, now() AS at", true);
    UUID execution = UUID.randomUUID();
    OutputTable target = new OutputTable(server.serverName(), "jdbc_out", "public", "runs", execution, "srv", "db1");
    driver.appendOutput(target, LOGIN, result).await();
    driver.appendOutput(target, LOGIN, result).await();
    assertEquals(List.of("1"), server.column("jdbc_out", "SELECT count(*) FROM runs"), "the re-run replaced its rows");
    driver.appendOutput(new OutputTable(server.serverName(), "jdbc_out", "public", "runs", execution, "srv", "db2"),
      LOGIN, result).await();
    assertEquals(List.of("db1 1 a", "db2 1 a"), server.column("jdbc_out",
      "SELECT target_database_name || ' ' || one || ' ' || letter FROM runs ORDER BY 1"));
    assertEquals(List.of("uuid"), server.column("jdbc_out", "SELECT udt_name FROM information_schema.columns "
      + "WHERE table_name = 'runs' AND column_name = 'internal_execution_id'"));
    assertEquals(List.of("IX_runs_Internal_Execution_ID"),
      server.column("jdbc_out", "SELECT indexname FROM pg_indexes WHERE tablename = 'runs'"));

    Throwable mismatch = failure(driver.appendOutput(target, LOGIN, run("SELECT 'x' AS other", true)));
    assertInstanceOf(OutputMismatch.class, mismatch);
    assertTrue(mismatch.getMessage().contains("a column other of type text"), mismatch.getMessage());
  }

  @Test
  void a_result_type_named_to_inject_sql_never_reaches_the_output_databases_ddl() {
    server.execute("jdbc_target", "CREATE TYPE \"int4); DROP TABLE victim; --\" AS ENUM ('a')");
    server.execute("jdbc_out", "CREATE TABLE victim (id int4)");
    ScriptResult result = run("SELECT 'a'::\"int4); DROP TABLE victim; --\" AS v", true);
    Throwable refused = failure(driver.appendOutput(new OutputTable(server.serverName(), "jdbc_out", "public",
      "typed", UUID.randomUUID(), "s", "d"), LOGIN, result));
    assertInstanceOf(OutputMismatch.class, refused);
    assertTrue(refused.getMessage().contains("CAST it to a built-in type"), refused.getMessage());
    assertEquals(List.of("0"), server.column("jdbc_out", "SELECT count(*)::text FROM victim"), "victim still there");
  }

  @Test
  void a_table_made_beforehand_without_the_execution_id_or_its_index_fails_clearly() {
    ScriptResult result = run("SELECT 1 AS one", true);
    server.execute("jdbc_out",
      "CREATE TABLE premade_plain (target_server_name text, target_database_name text, one int4)",
      "CREATE TABLE premade_unindexed (internal_execution_id uuid, target_server_name text, "
        + "target_database_name text, one int4)");
    Throwable plain = failure(driver.appendOutput(new OutputTable(server.serverName(), "jdbc_out", "public",
      "premade_plain", UUID.randomUUID(), "s", "d"), LOGIN, result));
    assertInstanceOf(OutputMismatch.class, plain);
    assertTrue(plain.getMessage().contains("a column internal_execution_id of type uuid"), plain.getMessage());
    Throwable unindexed = failure(driver.appendOutput(new OutputTable(server.serverName(), "jdbc_out", "public",
      "premade_unindexed", UUID.randomUUID(), "s", "d"), LOGIN, result));
    assertTrue(unindexed.getMessage().contains("an index on internal_execution_id, such as "
      + "\"IX_premade_unindexed_Internal_Execution_ID\""), unindexed.getMessage());
    Throwable twice = failure(driver.appendOutput(new OutputTable(server.serverName(), "jdbc_out", "public",
      "never", UUID.randomUUID(), "s", "d"), LOGIN, run("SELECT 1 AS a, 2 AS a", true)));
    assertInstanceOf(OutputMismatch.class, twice);
  }

  @Test
  void servers_and_pools_are_enumerated_through_queries_and_an_unreachable_server_fails_with_its_error() {
    assertEquals(List.of("jdbc_out", "jdbc_pooled", "jdbc_target"),
      driver.listDatabases(server.serverName(), LOGIN, ConnectionSettings.DEFAULT).await());
    assertEquals(List.of("jdbc_pooled"), driver.listPoolDatabases(server.serverName(), "pool-1", LOGIN, ConnectionSettings.DEFAULT).await());
    Throwable unreachable = failure(driver.listDatabases("127.0.0.1:1", LOGIN, ConnectionSettings.DEFAULT));
    assertInstanceOf(TargetUnreachable.class, unreachable);
    assertTrue(unreachable.getMessage().startsWith("Could not list the databases of server '127.0.0.1:1'"),
      unreachable.getMessage());
  }

  /** The test dialect names a connection after the certificate setting its endpoint was given. */
  @Test
  void the_certificate_is_trusted_when_the_member_or_the_agent_says_so(Vertx vertx) {
    String app = "SELECT current_setting('application_name')";
    for (int reused = 0; reused < 2; reused++) {
      assertEquals(List.of(List.of("fleetjobs trustServerCertificate")),
        driver.run(server.serverName(), "jdbc_target", LOGIN, ConnectionSettings.TRUST_SERVER_CERTIFICATE, app, options(true)).result().await().rows());
      assertEquals(List.of(List.of("fleetjobs")),
        driver.run(server.serverName(), "jdbc_target", LOGIN, ConnectionSettings.DEFAULT, app, options(true)).result().await().rows(),
        "a member that does not trust the certificate gets a connection of its own");
    }
    JdbcPools own = new JdbcPools(vertx, workers, capacity, JdbcPools.Settings.DEFAULT);
    JdbcTargetDriver trustingAgent = new JdbcTargetDriver(vertx, new JdbcTargetDriver.Dependencies("sqlserver",
      new PostgresJdbcDialect(), own, workers, TargetAuthenticator.storedCredentials(), true));
    try {
      assertEquals(List.of(List.of("fleetjobs trustServerCertificate")),
        trustingAgent.run(server.serverName(), "jdbc_target", LOGIN, ConnectionSettings.DEFAULT, app, options(true)).result().await().rows(),
        "the agent's configuration trusts it for every member");
    } finally {
      trustingAgent.close().await();
    }
  }

  @Test
  void idle_pools_are_closed_and_the_worker_pool_has_a_thread_for_every_target_of_the_top_tier() {
    driver.listDatabases(server.serverName(), LOGIN, ConnectionSettings.DEFAULT).await();
    assertTrue(pools.size() > 0);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (pools.size() > 0 && System.nanoTime() < deadline) {
      Executions.sleep(100);
    }
    assertEquals(0, pools.size(), "pools unused for longer than their idle time are closed");

    capacity.save(Tier.JA200).await();
    try {
      assertEquals(List.of("jdbc_out", "jdbc_pooled", "jdbc_target"),
        driver.listDatabases(server.serverName(), LOGIN, ConnectionSettings.DEFAULT).await());
    } finally {
      capacity.save(Tier.JA100).await();
    }
    // A raised tier needs no new threads: every target the top tier runs at once can hold one at the same time.
    int targets = Capacity.concurrentTargets(Tier.JA800);
    CountDownLatch allHolding = new CountDownLatch(targets);
    List<Future<Boolean>> holding = IntStream.range(0, targets)
      .mapToObj(i -> workers.executor().executeBlocking(() -> {
        allHolding.countDown();
        return allHolding.await(30, TimeUnit.SECONDS);
      }, false))
      .toList();
    assertTrue(Future.all(holding).await().<Boolean>list().stream().allMatch(Boolean::booleanValue),
      targets + " blocking calls held a thread each at once");
  }

  private static void awaitColumn(String query, String expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!server.column("postgres", query).equals(List.of(expected))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(query + " never returned " + expected);
      }
      Executions.sleep(50);
    }
  }
}
