package io.fleetjobs.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.RoutineDatabase;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * default_command_type and step_of of R__definitions.sql, called directly on a real PostgreSQL: a step's
 * action type, when it names none, follows the engines of its group.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StepActionTypeRoutineTest {
  private RoutineDatabase db;

  @BeforeEach
  void migrate() throws Exception {
    db = RoutineDatabase.migrated("action_type");
    db.query("SELECT jobs_internal.save_job('job', NULL, false, 'Once', 1, NULL, NULL, NULL, NULL, NULL, now())");
  }

  @AfterEach
  void close() throws Exception {
    db.close();
  }

  @Test
  void a_group_of_postgresql_databases_gives_sql() throws SQLException {
    group("pg", member("Include", "postgresql"));
    assertEquals("Sql", savedType("pg", null));
  }

  @Test
  void any_sqlserver_database_brought_in_gives_tsql() throws SQLException {
    group("mixed", member("Include", "postgresql"), member("Include", "sqlserver"));
    assertEquals("TSql", savedType("mixed", null));
    group("excluded", member("Include", "postgresql"), member("Exclude", "sqlserver"));
    assertEquals("Sql", savedType("excluded", null), "an excluded sqlserver member brings no database in");
  }

  @Test
  void a_type_the_step_names_is_kept_and_a_wrong_one_refused() throws SQLException {
    group("pg", member("Include", "postgresql"));
    assertEquals("TSql", savedType("pg", "TSql"));
    SQLException refused = assertThrows(SQLException.class, () -> savedType("pg", "PlSql"));
    assertTrue(refused.getMessage().contains("command_type must be one of TSql, Sql"), refused.getMessage());
  }

  private void group(String name, String... members) throws SQLException {
    db.query("SELECT jobs_internal.save_target_group(?, ?::jsonb)", name, "[" + String.join(",", members) + "]");
  }

  private static String member(String membership, String engine) {
    return "{\"membership_type\": \"" + membership + "\", \"target_type\": \"SqlDatabase\", \"engine\": \"" + engine
      + "\", \"server_name\": \"" + engine + ".example.com\", \"database_name\": \"db\"}";
  }

  private String savedType(String group, String type) throws SQLException {
    db.query("SELECT jobs_internal.save_credential('login', 'u', '\\x00'::bytea)");
    String definition = "{\"command\": \"SELECT 1\", \"credential_name\": \"login\", \"target_group_name\": \""
      + group + "\""
      + (type == null ? "" : ", \"command_type\": \"" + type + "\"") + "}";
    db.query("SELECT jobs_internal.save_jobstep('job', 'step', NULL, ?::jsonb)", definition);
    return (String) db.value("""
        SELECT s.command_type FROM jobs_internal.jobstep_versions s
          JOIN jobs_internal.jobs j ON j.job_id = s.job_id AND j.job_version = s.job_version
         WHERE j.job_name = 'job' AND s.step_name = 'step'""");
  }
}
