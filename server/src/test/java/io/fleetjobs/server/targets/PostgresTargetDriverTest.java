package io.fleetjobs.server.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetjobs.common.errors.OutputMismatch;
import io.fleetjobs.common.errors.TargetUnreachable;
import io.fleetjobs.server.testsupport.TargetServer;
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

/** The PostgreSQL driver against a real server: scripts, output tables, enumeration errors. */
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

  @Test
  void the_first_result_set_of_a_multi_statement_script_is_kept_only_when_wanted() {
    String script = "CREATE TEMP TABLE t (x int); INSERT INTO t VALUES (1), (2); SELECT x, x * 10 AS y FROM t ORDER BY x";
    ScriptResult kept = driver.run(server.serverName(), "drv_target", LOGIN, false, script, true).result().await();
    assertEquals(List.of("x", "y"), kept.columns().stream().map(ScriptResult.Column::name).toList());
    assertEquals(List.of(List.of(1, 10), List.of(2, 20)), kept.rows());
    assertFalse(driver.run(server.serverName(), "drv_target", LOGIN, false, script, false).result().await()
      .hasResultSet(), "without an output table no row is kept");
  }

  @Test
  void an_attempt_run_again_replaces_its_own_output_rows() {
    ScriptResult result = driver.run(server.serverName(), "drv_target", LOGIN, false, "SELECT 1 AS one, 'a' AS letter",
      true).result().await();
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
    ScriptResult twice = driver.run(server.serverName(), "drv_target", LOGIN, false, "SELECT 1, 2", true).result()
      .await();
    Throwable failure = assertThrows(CompletionException.class, () -> driver.appendOutput(
      new OutputTable(server.serverName(), "drv_out", "public", "clash", UUID.randomUUID(), "s", "d"), LOGIN, twice)
      .toCompletionStage().toCompletableFuture().join()).getCause();
    assertInstanceOf(OutputMismatch.class, failure, "two columns named ?column?");
  }

  @Test
  void a_server_that_cannot_be_listed_fails_with_its_own_error() {
    Throwable failure = assertThrows(CompletionException.class, () -> driver.listDatabases("127.0.0.1:1", LOGIN, false)
      .toCompletionStage().toCompletableFuture().join()).getCause();
    assertInstanceOf(TargetUnreachable.class, failure);
    assertEquals(List.of("drv_out", "drv_target"), driver.listDatabases(server.serverName(), LOGIN, false).await());
  }
}
