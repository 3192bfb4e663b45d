package io.fleetjobs.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The jobs.* catalog, read the way a monitoring user would: as a jobs_reader member over plain SQL. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JobsViewsTest {
  private static final String READER = "views_reader_" + ProcessHandle.current().pid();

  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("views");

  @BeforeAll
  static void setUp() throws SQLException {
    try (Connection owner = agent.jdbc(); Statement sql = owner.createStatement()) {
      sql.execute("DROP ROLE IF EXISTS " + READER);
      sql.execute("CREATE ROLE " + READER + " LOGIN IN ROLE jobs_reader");
    }
    Scenario.on(agent)
      .fleet("pg1:5432")
      .credential("refresh")
      .credential("job")
      .group("fleet")
      .everyDatabase("refresh")
      .exclude("mapping")
      .job("nightly")
      .description("vacuum the fleet")
      // Its schedule starts in the future, so it does not run while the tests read the views.
      .schedule(new JsonObject().put("interval", "P1D").put("enabled", true).put("startTime", "2099-01-01T00:00:00Z"))
      .step("vacuum", "VACUUM")
      .step("analyze", "ANALYZE")
      .output("o", "t")
      .create();
  }

  @Test
  void views_have_exactly_the_reference_columns_and_the_documented_extensions_after_them() throws SQLException {
    assertEquals(List.of("job_name", "job_id", "job_version", "description", "enabled", "schedule_interval_type",
      "schedule_interval_count", "schedule_start_time", "schedule_end_time"), columns("jobs.jobs"));
    assertEquals(List.of("job_name", "job_id", "job_version"), columns("jobs.job_versions"));
    List<String> stepColumns = List.of("job_name", "job_id", "job_version", "step_id", "step_name", "command_type",
      "command_source", "command", "credential_name", "target_group_name", "target_group_id",
      "initial_retry_interval_seconds", "maximum_retry_interval_seconds", "retry_interval_backoff_multiplier",
      "retry_attempts", "step_timeout_seconds", "output_type", "output_credential_name", "output_subscription_id",
      "output_resource_group_name", "output_server_name", "output_database_name", "output_schema_name",
      "output_table_name", "max_parallelism");
    assertEquals(stepColumns, columns("jobs.jobsteps"));
    assertEquals(stepColumns, columns("jobs.jobstep_versions"));
    assertEquals(List.of("target_group_name", "target_group_id"), columns("jobs.target_groups"));
    assertEquals(List.of("target_group_name", "target_group_id", "membership_type", "target_type", "target_id",
      "refresh_credential_name", "subscription_id", "resource_group_name", "server_name", "database_name",
      "elastic_pool_name", "shard_map_name", "engine", "ssl_mode", "authentication"),
      columns("jobs.target_group_members"));
    assertEquals(List.of("job_execution_id", "job_name", "job_id", "job_version", "step_id", "is_active", "lifecycle",
      "create_time", "start_time", "end_time", "current_attempts", "current_attempt_start_time",
      "next_attempt_start_time", "last_message", "target_type", "target_id", "target_group_name",
      "target_server_name", "target_database_name", "dry_run", "target_engine", "target_ssl_mode"),
      columns("jobs.job_executions"),
      "the reference columns, then fleetjobs' documented extensions: dry_run (README \"Rollouts\"), then a target's "
        + "engine and TLS mode");
  }

  @Test
  void views_show_what_the_api_wrote() throws SQLException {
    try (Connection reader = TestPostgres.connect(agent.database(), READER); Statement sql = reader.createStatement()) {
      try (ResultSet job = sql.executeQuery("SELECT * FROM jobs.jobs WHERE job_name = 'nightly'")) {
        assertTrue(job.next());
        assertEquals(2, job.getInt("job_version"));
        assertEquals("vacuum the fleet", job.getString("description"));
        assertTrue(job.getBoolean("enabled"));
        assertEquals("Days", job.getString("schedule_interval_type"));
        assertEquals(1, job.getInt("schedule_interval_count"));
        assertEquals("9999-12-31 11:59:59", job.getString("schedule_end_time"));
      }
      try (ResultSet steps = sql.executeQuery(
        "SELECT step_id, step_name, command, credential_name, target_group_name, retry_attempts, output_schema_name"
          + " FROM jobs.jobsteps WHERE job_name = 'nightly' ORDER BY step_id")) {
        assertTrue(steps.next());
        assertEquals("vacuum", steps.getString("step_name"));
        assertEquals("job", steps.getString("credential_name"));
        assertEquals("fleet", steps.getString("target_group_name"));
        assertEquals(10, steps.getInt("retry_attempts"));
        assertTrue(steps.next());
        assertEquals("analyze", steps.getString("step_name"));
        assertEquals("public", steps.getString("output_schema_name"));
        assertFalse(steps.next());
      }
      assertEquals(List.of("0", "1", "2"), column(sql,
        "SELECT job_version FROM jobs.job_versions WHERE job_name = 'nightly' ORDER BY job_version"));
      assertEquals(List.of("1", "2", "2"), column(sql,
        "SELECT job_version FROM jobs.jobstep_versions WHERE job_name = 'nightly' ORDER BY job_version, step_id"));
      assertEquals(List.of("Include SqlServer pg1:5432 refresh", "Exclude SqlDatabase pg1:5432 null"), column(sql,
        "SELECT membership_type || ' ' || target_type || ' ' || server_name || ' ' || coalesce(refresh_credential_name, 'null')"
          + " FROM jobs.target_group_members WHERE target_group_name = 'fleet' ORDER BY membership_type DESC"));
      assertEquals(List.of("fleet"), column(sql, "SELECT target_group_name FROM jobs.target_groups"));
      assertEquals(List.of(), column(sql, "SELECT job_name FROM jobs.job_executions"));
    }
  }

  @Test
  void jobs_reader_can_neither_read_internals_nor_change_the_catalog() throws SQLException {
    try (Connection reader = TestPostgres.connect(agent.database(), READER); Statement sql = reader.createStatement()) {
      assertEquals("42501", assertThrows(SQLException.class,
        () -> sql.executeQuery("SELECT * FROM jobs_internal.credentials")).getSQLState());
      assertEquals("42501", assertThrows(SQLException.class,
        () -> sql.executeQuery("SELECT jobs_internal.delete_job('nightly')")).getSQLState());
      assertThrows(SQLException.class, () -> sql.executeUpdate("DELETE FROM jobs.jobs"));
    }
  }

  private static List<String> columns(String view) throws SQLException {
    try (Connection reader = TestPostgres.connect(agent.database(), READER); Statement sql = reader.createStatement();
         ResultSet rows = sql.executeQuery("SELECT * FROM " + view + " LIMIT 0")) {
      ResultSetMetaData meta = rows.getMetaData();
      List<String> names = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        names.add(meta.getColumnName(i));
      }
      return names;
    }
  }

  private static List<String> column(Statement sql, String query) throws SQLException {
    try (ResultSet rows = sql.executeQuery(query)) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    }
  }
}
