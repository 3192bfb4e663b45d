package io.fleetjobs.server.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetFailuresTest {

  private static PgException postgres(String sqlState) {
    return new PgException("message", "ERROR", sqlState, null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"08006", "08001", "40001", "40P01", "53300", "53100", "57P01", "57P02", "57P03"})
  void connection_failures_conflicts_resources_and_restarts_are_retried(String sqlState) {
    assertTrue(TargetFailures.classify(postgres(sqlState)).retryable(), sqlState);
  }

  @ParameterizedTest
  @ValueSource(strings = {"28P01", "28000", "42601", "42P01", "42501", "22012", "22P02", "23505", "23503", "3D000"})
  void logins_syntax_access_data_integrity_and_missing_databases_are_not(String sqlState) {
    Retryability verdict = TargetFailures.classify(postgres(sqlState));
    assertFalse(verdict.retryable(), sqlState);
    assertTrue(verdict.reason().contains(sqlState), verdict.reason());
  }

  @Test
  void the_reason_says_what_kind_of_failure_it_was() {
    assertEquals("the login was refused (28P01)", TargetFailures.classify(postgres("28P01")).reason());
    assertEquals("the database does not exist (3D000)", TargetFailures.classify(postgres("3D000")).reason());
  }

  @Test
  void an_error_the_classification_does_not_know_is_retried_as_elastic_jobs_does() {
    assertTrue(TargetFailures.classify(postgres("P0001")).retryable(), "RAISE EXCEPTION");
    assertTrue(TargetFailures.classify(new IllegalStateException("?")).retryable());
  }

  @Test
  void network_failures_and_timeouts_are_retried_wherever_they_are_wrapped() {
    assertTrue(TargetFailures.classify(new ConnectException("Connection refused")).retryable());
    assertTrue(TargetFailures.classify(new TimeoutException("no answer")).retryable());
    assertTrue(TargetFailures.classify(new VertxException("Connection was closed")).retryable());
    assertFalse(TargetFailures.classify(new RuntimeException("wrapped", postgres("28P01"))).retryable(),
      "the cause decides");
  }

  @ParameterizedTest
  @ValueSource(ints = {1205, 40613, 40197, 40501, 49918, 49919, 49920, 4060})
  void sql_server_deadlocks_and_azure_transients_are_retried(int number) {
    assertTrue(TargetFailures.classify(new SQLException("x", "S0001", number)).retryable(), String.valueOf(number));
  }

  @ParameterizedTest
  @ValueSource(ints = {18456, 102, 208, 8134, 2627, 547})
  void sql_server_logins_syntax_data_and_integrity_errors_are_not(int number) {
    Retryability verdict = TargetFailures.classify(new SQLException("x", "S0001", number));
    assertFalse(verdict.retryable(), String.valueOf(number));
    assertTrue(verdict.reason().contains("error " + number), verdict.reason());
  }

  @Test
  void a_connection_reset_reported_by_jdbc_is_retried() {
    assertTrue(TargetFailures.classify(new SQLException("Connection reset", "08S01", 0)).retryable());
  }

  @Test
  void a_step_that_cannot_run_as_defined_is_not_retried() {
    Retryability verdict = TargetFailures.classify(new InvalidInput("credential", "The step has no credential."));
    assertFalse(verdict.retryable());
    assertEquals("The step has no credential.", verdict.reason());
  }
}
