package io.fleetjobs.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fleetjobs.common.errors.FleetJobsException;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.Test;

class SqlFailuresTest {

  @Test
  void a_statement_stopped_by_its_timeout_or_a_cancel_is_a_503() {
    assertUnavailable(new PgException("canceling statement due to statement timeout", "ERROR", "57014", null));
  }

  @Test
  void a_lock_not_granted_in_time_is_a_503() {
    assertUnavailable(new PgException("canceling statement due to lock timeout", "ERROR", "55P03", null));
  }

  @Test
  void other_failures_pass_through() {
    PgException other = new PgException("division by zero", "ERROR", "22012", null);
    assertSame(other, SqlFailures.domainFailure(other));
  }

  private static void assertUnavailable(PgException failure) {
    FleetJobsException mapped = (FleetJobsException) SqlFailures.domainFailure(failure);
    assertEquals(503, mapped.status());
    assertEquals("ServiceUnavailable", mapped.code());
  }
}
