package io.fleetjobs.server.jobs.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.common.errors.InvalidInput;

import io.fleetjobs.server.bus.TargetWork;
import io.fleetjobs.server.targets.ConnectionSettings;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ScriptVariablesTest {
  private static final UUID JOB = UUID.fromString("00000000-0000-0000-0000-000000000001");
  private static final UUID EXECUTION = UUID.fromString("00000000-0000-0000-0000-000000000002");

  @Test
  void every_elastic_jobs_variable_is_substituted() {
    TargetWork work = work("nightly");
    assertEquals("nightly " + JOB + " 3 2 vacuum " + EXECUTION + " 2026-01-01T00:00:00Z tenants",
      ScriptVariables.substitute("$(job_name) $(job_id) $(job_version) $(step_id) $(step_name) $(job_execution_id) "
        + "$(job_execution_create_time) $(target_group_name)", work));
  }

  @Test
  void a_value_that_looks_like_a_variable_is_not_substituted_again_and_unknown_ones_stay() {
    assertEquals("$(step_id) $(not_a_variable)",
      ScriptVariables.substitute("$(job_name) $(not_a_variable)", work("$(step_id)")));
  }

  @Test
  void literal_forms_quote_for_postgresql() {
    assertEquals("SELECT 'x''; DROP TABLE t; SELECT ''', 'vacuum', '" + JOB + "'",
      ScriptVariables.substitute("SELECT $(job_name_literal), $(step_name_literal), $(job_id_literal)",
        work("x'; DROP TABLE t; SELECT '")));
  }

  @Test
  void a_postgresql_literal_with_a_backslash_escapes_it_whatever_standard_conforming_strings_says() {
    assertEquals("E'a\\\\''b'", ScriptVariables.substitute("$(job_name_literal)", work("a\\'b")));
  }

  @Test
  void literal_forms_quote_for_mysql_whatever_its_backslash_mode() {
    assertEquals("'x''; DROP TABLE t; SELECT ''' 'a\\\\''b'",
      ScriptVariables.substitute("$(job_name_literal) $(target_group_name_literal)",
        work("x'; DROP TABLE t; SELECT '", "mysql", "a\\'b")));
  }

  @Test
  void literal_forms_quote_for_sql_server() {
    assertEquals("N'x''; DROP TABLE t; SELECT ''' N'a\\b'",
      ScriptVariables.substitute("$(job_name_literal) $(target_group_name_literal)",
        work("x'; DROP TABLE t; SELECT '", "sqlserver", "a\\b")));
  }

  @Test
  void a_name_that_could_end_a_literal_is_refused_as_text() {
    for (String name : new String[] {"it's", "semi;colon", "double\"quote"}) {
      InvalidInput refused = assertThrows(InvalidInput.class,
        () -> ScriptVariables.substitute("SELECT '$(job_name)'", work(name)));
      assertTrue(refused.getMessage().contains("$(job_name_literal)"), refused.getMessage());
    }
    assertEquals("SELECT '2'", ScriptVariables.substitute("SELECT '$(step_id)'", work("it's")),
      "only the variables of names are refused, and only where used");
    assertEquals("$(nothing_literal)", ScriptVariables.substitute("$(nothing_literal)", work("it's")));
  }

  private static TargetWork work(String jobName) {
    return work(jobName, "postgresql", "tenants");
  }

  private static TargetWork work(String jobName, String engine, String group) {
    return new TargetWork(UUID.randomUUID(), 1, 1, EXECUTION, Instant.parse("2026-01-01T00:00:00Z"), JOB, jobName, 3,
      2, "vacuum", group, engine, "pg1", "sales", ConnectionSettings.DEFAULT, false);
  }
}
