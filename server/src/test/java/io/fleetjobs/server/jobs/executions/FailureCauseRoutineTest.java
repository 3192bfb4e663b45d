package io.fleetjobs.server.jobs.executions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.fleetjobs.server.testsupport.RoutineDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** jobs_internal.failure_cause and failure_group (R__triage.sql): what makes two failures one cause. */
class FailureCauseRoutineTest {
  private static RoutineDatabase db;

  @BeforeAll
  static void migrate() throws SQLException {
    db = RoutineDatabase.migrated("failure_cause");
  }

  @AfterAll
  static void close() throws SQLException {
    db.close();
  }

  @Test
  void the_same_error_on_two_databases_is_one_cause_without_the_executors_preamble() throws SQLException {
    String first = cause("Attempt 1 of step 2 failed on target (server 'pg1:5432', database 'tenant_17'): "
      + "statement 3 (line 7): ERROR: relation \"orders\" does not exist (42P01); not retried: a syntax error",
      "pg1:5432", "tenant_17");
    String second = cause("Attempt 3 of step 2 failed on target (server 'pg2', database 'tenant_9'): "
      + "statement 3 (line 12): ERROR: relation \"orders\" does not exist (42P01); not retried: a syntax error",
      "pg2", "tenant_9");
    assertEquals("statement # (line #): ERROR: relation \"orders\" does not exist (42P01); not retried: a syntax error",
      first);
    assertEquals(first, second);
  }

  @Test
  void names_of_the_target_go_but_names_in_the_script_stay() throws SQLException {
    assertEquals("ERROR: database \"<database>\" does not exist on <server>",
      cause("ERROR: database \"shop_42\" does not exist on db.example.com", "db.example.com", "shop_42"));
    assertEquals("ERROR: relation \"orders_2023\" does not exist", cause(
      "ERROR: relation \"orders_2023\" does not exist", "pg", "shop"));
    assertEquals("ERROR: duplicate key value violates unique constraint \"orders_pkey\" Key (id)=(#)",
      cause("ERROR: duplicate key value violates unique constraint \"orders_pkey\" Key (id)=(42)", "pg", "shop"));
  }

  @Test
  void only_the_first_line_counts_and_a_member_row_without_a_database_works() throws SQLException {
    assertEquals("Step # timed out; its statement was cancelled on the server.", cause(
      "Step 1 timed out on target (server 'pg:5432', database 'a'); its statement was cancelled on the server.\n"
        + "Messages:\nNOTICE: 12 rows in a", "pg:5432", "a"));
    assertEquals("Could not list the databases of server '<server>': connection refused",
      cause("Could not list the databases of server 'pg:5432': connection refused", "pg:5432", ""));
    assertEquals("", cause(null, "pg", "a"));
  }

  @Test
  void a_group_is_its_lifecycle_error_code_and_cause() throws SQLException {
    String failed = group("Failed", "42P01", "x");
    assertEquals(failed, group("Failed", "42P01", "x"));
    assertEquals(16, failed.length());
    assertNotEquals(failed, group("TimedOut", "42P01", "x"));
    assertNotEquals(failed, group("Failed", "22012", "x"));
    assertNotEquals(failed, group("Failed", null, "x"));
  }

  private static String cause(String message, String server, String database) throws SQLException {
    return (String) db.value("SELECT jobs_internal.failure_cause(?, ?, ?)", message, server, database);
  }

  private static String group(String lifecycle, String code, String cause) throws SQLException {
    return (String) db.value("SELECT jobs_internal.failure_group(?, ?, ?)", lifecycle, code, cause);
  }
}
