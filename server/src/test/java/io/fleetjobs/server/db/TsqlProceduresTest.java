package io.fleetjobs.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.RoutineDatabase;
import io.fleetjobs.server.testsupport.TsqlSession;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.util.PSQLException;

/**
 * The 13 jobs.sp_* procedures on a job database of their own, called the way a T-SQL script translates: each
 * parameter's default is honoured, each OUTPUT value comes back in the CALL's row, and each documented refusal
 * has its SQLSTATE, names its T-SQL parameter and changes nothing.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TsqlProceduresTest {
  private static final String PG_SERVER = "pg1.example.com:5432";
  private static final String LONDON = "London.database.windows.net";
  private static final String SERVER1 = "server1.database.windows.net";
  private RoutineDatabase db;

  @BeforeEach
  void migrate() throws Exception {
    db = RoutineDatabase.migrated("tsql_procedures");
    // Credentials come from the REST API, which seals their passwords; here the sealed bytes do not matter.
    db.query("SELECT jobs_internal.save_credential('job_credential', 'job', '\\x00'::bytea)");
    db.query("SELECT jobs_internal.save_credential('refresh_credential', 'refresh', '\\x00'::bytea)");
    call("CALL jobs.sp_add_target_group('Databases')");
    call("CALL jobs.sp_add_target_group_member('Databases', target_type => 'SqlDatabase', server_name => '"
      + PG_SERVER + "', database_name => 'db1')");
  }

  @AfterEach
  void close() throws Exception {
    db.close();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Jobs

  @Test
  void sp_add_job_applies_the_documented_defaults_and_returns_the_job_id() throws Exception {
    UUID jobId = (UUID) call("CALL jobs.sp_add_job('Defaults')").get("job_id");
    assertNotNull(jobId);
    assertEquals(List.of(jobId.toString(), "0", "", "false", "Once", "1", "0001-01-01 00:00:00", "9999-12-31 11:59:59"),
      job("Defaults"));
    assertEquals(List.of(List.of(0)), db.query("SELECT job_version FROM jobs.job_versions WHERE job_name = 'Defaults'"),
      "the initial version is 0");
  }

  @Test
  void sp_add_job_takes_positional_and_named_parameters_and_enabled_1() throws Exception {
    call("CALL jobs.sp_add_job('Positional', 'by position', 1, 'Hours', 2, '2026-05-01 10:00:00', '2027-01-01 00:00:00')");
    assertEquals("true Hours 2 2026-05-01 10:00:00 2027-01-01 00:00:00", String.join(" ", job("Positional").subList(3, 8)));
    call("""
        CALL jobs.sp_add_job(job_name => 'Named', description => 'by name', enabled => 1,
                             schedule_interval_type => 'Minutes', schedule_interval_count => 15)""");
    assertEquals(List.of("by name", "true", "Minutes", "15"), job("Named").subList(2, 6));
    call("CALL jobs.sp_add_job(job_name => 'Off', enabled => 0)");
    assertEquals("false", job("Off").get(3));
  }

  @Test
  void sp_add_job_refusals_change_nothing() throws Exception {
    call("CALL jobs.sp_add_job('Taken')");
    refused("FJ409", "job_name", "Job 'Taken' already exists.", "CALL jobs.sp_add_job('Taken', 'again')");
    refused("FJ400", "job_name", "job_name must not contain %.", "CALL jobs.sp_add_job('100%')");
    refused("FJ400", "job_name", "job_name must be at most 128 characters.",
      "CALL jobs.sp_add_job('" + "j".repeat(129) + "')");
    refused("FJ400", "job_name", "job_name is required.", "CALL jobs.sp_add_job(NULL)");
    refused("FJ400", "description", "description must be at most 512 characters.",
      "CALL jobs.sp_add_job('Long', description => '" + "d".repeat(513) + "')");
    refused("FJ400", "enabled", "enabled must be 0 or 1.", "CALL jobs.sp_add_job('Bit', enabled => 2)");
    refused("FJ400", "schedule_interval_type", "schedule_interval_type must be one of Once, Minutes, Hours, Days, "
      + "Weeks, Months.", "CALL jobs.sp_add_job('Fortnightly', schedule_interval_type => 'Fortnights')");
    refused("FJ400", "schedule_interval_type", "schedule_interval_type must be one of",
      "CALL jobs.sp_add_job('Cron', schedule_interval_type => 'Cron')");
    refused("FJ400", "schedule_interval_count", "schedule_interval_count must be at least 1.",
      "CALL jobs.sp_add_job('Zero', schedule_interval_type => 'Days', schedule_interval_count => 0)");
    refused("FJ400", "schedule_end_time", "schedule_end_time must be after schedule_start_time.",
      "CALL jobs.sp_add_job('Backwards', schedule_start_time => '2026-02-01', schedule_end_time => '2026-01-01')");
  }

  @Test
  void sp_update_job_leaves_what_it_is_not_given_and_keeps_the_version() throws Exception {
    UUID jobId = (UUID) call("""
        CALL jobs.sp_add_job('ResultsJob', description => 'Collect', schedule_start_time => '2026-03-01 00:00:00',
                             schedule_end_time => '2027-03-01 00:00:00')""").get("job_id");
    addStep("ResultsJob", "collect");
    // The tutorial's call: it enables a 15-minute schedule and keeps the description and the window.
    assertEquals(Map.of(), call("""
        CALL jobs.sp_update_job(job_name => 'ResultsJob', enabled => 1, schedule_interval_type => 'Minutes',
                                schedule_interval_count => 15)"""));
    assertEquals(List.of(jobId.toString(), "1", "Collect", "true", "Minutes", "15", "2026-03-01 00:00:00",
      "2027-03-01 00:00:00"), job("ResultsJob"));
    call("CALL jobs.sp_update_job('ResultsJob', new_name => 'Results', description => 'Renamed', enabled => 0,"
      + " schedule_start_time => '2026-04-01 00:00:00', schedule_end_time => '2026-05-01 00:00:00')");
    assertEquals(List.of(jobId.toString(), "1", "Renamed", "false", "Minutes", "15", "2026-04-01 00:00:00",
      "2026-05-01 00:00:00"), job("Results"), "the same job, renamed, still at version 1");
    call("CALL jobs.sp_update_job('Results', schedule_interval_type => 'Once', schedule_interval_count => 1)");
    assertEquals(List.of("Once", "1"), job("Results").subList(4, 6));
  }

  @Test
  void sp_update_job_refusals_change_nothing() throws Exception {
    call("CALL jobs.sp_add_job('A')");
    call("CALL jobs.sp_add_job('B')");
    refused("FJ404", "job_name", "Job 'Nope' does not exist.", "CALL jobs.sp_update_job('Nope', enabled => 1)");
    refused("FJ400", "job_name", "job_name is required.", "CALL jobs.sp_update_job(NULL, enabled => 1)");
    refused("FJ409", "new_name", "Job 'B' already exists.", "CALL jobs.sp_update_job('A', new_name => 'B')");
    refused("FJ400", "new_name", "new_name must not contain %.", "CALL jobs.sp_update_job('A', new_name => '50%')");
    refused("FJ400", "enabled", "enabled must be 0 or 1.", "CALL jobs.sp_update_job('A', enabled => -1)");
    refused("FJ400", "schedule_interval_type", "schedule_interval_type must be one of",
      "CALL jobs.sp_update_job('A', schedule_interval_type => 'Seconds')");
    refused("FJ400", "schedule_interval_count", "schedule_interval_count must be at least 1.",
      "CALL jobs.sp_update_job('A', new_name => 'C', schedule_interval_count => 0)");
  }

  @Test
  void sp_delete_job_deletes_the_job_with_its_history_and_force_decides_while_it_runs() throws Exception {
    call("CALL jobs.sp_add_job('Running')");
    addStep("Running", "s");
    UUID execution = (UUID) call("CALL jobs.sp_start_job('Running')").get("job_execution_id");
    refused("FJ409", "job_name", "Job 'Running' has an execution in progress; cancel it first, or delete with force.",
      "CALL jobs.sp_delete_job('Running')");
    refused("FJ409", "job_name", "Job 'Running' has an execution in progress",
      "CALL jobs.sp_delete_job(job_name => 'Running', force => 0)");
    refused("FJ400", "force", "force must be 0 or 1.", "CALL jobs.sp_delete_job(job_name => 'Running', force => 2)");
    refused("FJ404", "job_name", "Job 'Nope' does not exist.", "CALL jobs.sp_delete_job('Nope')");
    refused("FJ400", "job_name", "job_name is required.", "CALL jobs.sp_delete_job()");
    call("CALL jobs.sp_delete_job(job_name => 'Running', force => 1)");
    assertEquals(0, db.count("SELECT count(*) FROM jobs.jobs WHERE job_name = 'Running'"));
    assertEquals(0, db.count("SELECT count(*) FROM jobs.job_executions WHERE job_execution_id = ?", execution),
      "its history went with it");
    call("CALL jobs.sp_add_job('Idle')");
    call("CALL jobs.sp_delete_job('Idle')");
    assertEquals(0, db.count("SELECT count(*) FROM jobs.jobs WHERE job_name = 'Idle'"));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Steps

  @Test
  void sp_add_jobstep_applies_the_documented_defaults_and_returns_the_new_version() throws Exception {
    call("CALL jobs.sp_add_job('Steps')");
    assertEquals(Map.of("job_version", 1), call("""
        CALL jobs.sp_add_jobstep(job_name => 'Steps', command => 'SELECT 1', credential_name => 'job_credential',
                                 target_group_name => 'Databases')"""));
    assertEquals(List.of("1", "1", "JobStep", "TSql", "Inline", "SELECT 1", "job_credential", "Databases", "1", "120",
      "2", "10", "43200", "", "", "", "", "", "", "", "", ""), step("Steps", 1),
      "the first step may go unnamed; every default as documented; no output, no parallelism limit");
    assertEquals(Map.of("job_version", 2), call("""
        CALL jobs.sp_add_jobstep('Steps', 1, 'first', command => 'SELECT 0', credential_name => 'job_credential',
                                 target_group_name => 'Databases')"""), "inserted at step 1");
    assertEquals(List.of(List.of(1, "first"), List.of(2, "JobStep")),
      db.query("SELECT step_id, step_name FROM jobs.jobsteps WHERE job_name = 'Steps' ORDER BY step_id"),
      "the step that had id 1 and all after it moved up");
    assertEquals(List.of(List.of(0), List.of(1), List.of(2)),
      db.query("SELECT job_version FROM jobs.job_versions WHERE job_name = 'Steps' ORDER BY 1"));
  }

  @Test
  void sp_add_jobstep_takes_every_parameter() throws Exception {
    call("CALL jobs.sp_add_job('Every')");
    call("""
        CALL jobs.sp_add_jobstep(job_name => 'Every', step_id => 1, step_name => 'collect', command_type => 'TSql',
          command_source => 'Inline', command => 'SELECT 42 AS answer', credential_name => 'job_credential',
          target_group_name => 'Databases', initial_retry_interval_seconds => 5, maximum_retry_interval_seconds => 60,
          retry_interval_backoff_multiplier => 1.5, retry_attempts => 3, step_timeout_seconds => 600,
          output_type => 'SqlDatabase', output_credential_name => 'job_credential',
          output_subscription_id => '01234567-89ab-cdef-0123-456789abcdef', output_resource_group_name => 'rg',
          output_server_name => 'results.example.com', output_database_name => 'resultsdb',
          output_schema_name => 'stats', output_table_name => 'answers', max_parallelism => 4)""");
    assertEquals(List.of("1", "1", "collect", "TSql", "Inline", "SELECT 42 AS answer", "job_credential", "Databases",
      "5", "60", "1.5", "3", "600", "SqlDatabase", "job_credential", "", "", "results.example.com", "resultsdb", "stats",
      "answers", "4"), step("Every", 1), "the Azure-only subscription and resource group are accepted and ignored");
    call("""
        CALL jobs.sp_add_jobstep('Every', step_name => 'to-postgresql', command_type => 'Sql', command => 'SELECT 1',
          credential_name => 'job_credential', target_group_name => 'Databases', output_type => 'SqlDatabase',
          output_server_name => 'results.example.com', output_database_name => 'resultsdb', output_table_name => 't')""");
    call("""
        CALL jobs.sp_add_jobstep('Every', step_name => 'to-sqlserver', command => 'SELECT 1',
          credential_name => 'job_credential', target_group_name => 'Databases', output_type => 'SqlDatabase',
          output_server_name => 'results.example.com', output_database_name => 'resultsdb', output_table_name => 't',
          output_engine => 'sqlserver')""");
    assertEquals(List.of(List.of("Sql", "public", "postgresql"), List.of("TSql", "dbo", "sqlserver")), db.query("""
        SELECT s.command_type, s.output_schema_name, s.output_engine FROM jobs_internal.jobstep_versions s
          JOIN jobs_internal.jobs j ON j.job_id = s.job_id AND j.job_version = s.job_version
         WHERE j.job_name = 'Every' AND s.step_id > 1 ORDER BY s.step_id"""),
      "the output schema defaults to public on a postgresql output and to dbo on sqlserver");
  }

  @Test
  void sp_add_jobstep_refusals_change_nothing() throws Exception {
    call("CALL jobs.sp_add_job('Refused')");
    String add = "CALL jobs.sp_add_jobstep('Refused', command => 'SELECT 1', credential_name => 'job_credential', "
      + "target_group_name => 'Databases'";
    refused("FJ404", "job_name", "Job 'Nope' does not exist.", add.replace("'Refused'", "'Nope'") + ")");
    refused("FJ400", "command", "command is required.", add.replace("command => 'SELECT 1', ", "") + ")");
    refused("FJ400", "target_group_name", "target_group_name is required.",
      add.replace(", target_group_name => 'Databases'", "") + ")");
    refused("FJ422", "target_group_name", "Target group 'Nope' does not exist.", add.replace("'Databases'", "'Nope'") + ")");
    refused("FJ422", "credential_name", "Credential 'nope' does not exist.", add.replace("'job_credential'", "'nope'") + ")");
    refused("FJ400", "credential_name", "credential_name is required: the target group has postgresql members",
      add.replace("credential_name => 'job_credential', ", "") + ")");
    refused("FJ400", "command_type", "command_type must be one of TSql, Sql.", add + ", command_type => 'PowerShell')");
    refused("FJ400", "command_source", "command_source must be one of Inline.", add + ", command_source => 'File')");
    refused("FJ400", "output_type", "output_type must be one of SqlDatabase.", add + ", output_type => 'Blob',"
      + " output_server_name => 's', output_database_name => 'd', output_table_name => 't')");
    refused("FJ400", "output_server_name", "output_server_name is required.", add + ", output_type => 'SqlDatabase',"
      + " output_database_name => 'd', output_table_name => 't')");
    refused("FJ400", "output_database_name", "output_database_name is required.", add
      + ", output_type => 'SqlDatabase', output_server_name => 's', output_table_name => 't')");
    refused("FJ400", "output_table_name", "output_table_name is required.", add + ", output_type => 'SqlDatabase',"
      + " output_server_name => 's', output_database_name => 'd')");
    refused("FJ400", "output_type", "output_type is required when any output setting is given.",
      add + ", output_table_name => 't')");
    refused("FJ400", "step_timeout_seconds", "step_timeout_seconds must be at least 1.", add + ", step_timeout_seconds => 0)");
    refused("FJ400", "retry_attempts", "retry_attempts must not be negative.", add + ", retry_attempts => -1)");
    refused("FJ400", "initial_retry_interval_seconds", "initial_retry_interval_seconds must be at least 1.",
      add + ", initial_retry_interval_seconds => 0)");
    refused("FJ400", "maximum_retry_interval_seconds", "maximum_retry_interval_seconds must not be less than",
      add + ", initial_retry_interval_seconds => 10, maximum_retry_interval_seconds => 5)");
    refused("FJ400", "retry_interval_backoff_multiplier", "retry_interval_backoff_multiplier must be at least 1.0.",
      add + ", retry_interval_backoff_multiplier => 0.5)");
    refused("FJ400", "max_parallelism", "max_parallelism must be at least 1", add + ", max_parallelism => 0)");
    refused("FJ400", "step_id", "step_id must be between 1 and 1", add + ", step_id => 2)");
    call(add + ")");
    refused("FJ400", "step_name", "step_name is required: only the first step of a job may leave it out",
      add + ")");
    refused("FJ409", "step_name", "Job 'Refused' already has a step 'JobStep'.", add + ", step_name => 'JobStep')");
    refused("FJ400", "step_id", "step_id must be between 1 and 2: step ids start at 1 and leave no gaps.",
      add + ", step_name => 'gap', step_id => 3)");
  }

  @Test
  void sp_update_jobstep_changes_only_what_it_is_given() throws Exception {
    call("CALL jobs.sp_add_job('Update')");
    addStep("Update", "one");
    addStep("Update", "two");
    call("""
        CALL jobs.sp_add_jobstep('Update', step_name => 'three', command => 'SELECT 3', credential_name => 'job_credential',
          target_group_name => 'Databases', output_type => 'SqlDatabase', output_server_name => 'out.example.com',
          output_database_name => 'o', output_schema_name => 's', output_table_name => 't', max_parallelism => 2)""");
    List<String> three = step("Update", 3);
    assertEquals(Map.of("job_version", 4), call("CALL jobs.sp_update_jobstep('Update', 3, retry_attempts => 1)"));
    List<String> changed = step("Update", 3);
    assertEquals("1", changed.get(11));
    assertEquals(three.subList(1, 11), changed.subList(1, 11), "the rest stays");
    assertEquals(three.subList(12, three.size()), changed.subList(12, changed.size()));

    assertEquals(Map.of("job_version", 4),
      call("CALL jobs.sp_update_jobstep('Update', step_name => 'three', retry_attempts => 1)"),
      "a change to nothing makes no new version, as in the REST API");
    call("CALL jobs.sp_update_jobstep('Update', step_name => 'three', output_schema_name => '', max_parallelism => -1)");
    assertEquals(List.of("SqlDatabase", "public", ""), List.of(step("Update", 3).get(13), step("Update", 3).get(19),
      step("Update", 3).get(21)), "'' resets the schema to its default; -1 removes the parallelism limit");
    call("CALL jobs.sp_update_jobstep('Update', step_id => 3, output_type => '')");
    List<String> noOutput = step("Update", 3);
    assertEquals(List.of("", "", "", "", "", ""), List.of(noOutput.get(13), noOutput.get(14), noOutput.get(17),
      noOutput.get(18), noOutput.get(19), noOutput.get(20)), "output_type '' removes the output altogether");

    assertEquals(Map.of("job_version", 7), call("""
        CALL jobs.sp_update_jobstep(job_name => 'Update', step_id => 3, step_name => 'three', new_id => 1,
          new_name => 'first', command => 'SELECT 1', command_type => 'Sql', command_source => 'Inline',
          credential_name => 'refresh_credential', target_group_name => 'Databases', initial_retry_interval_seconds => 2,
          maximum_retry_interval_seconds => 20, retry_interval_backoff_multiplier => 3, step_timeout_seconds => 60,
          output_type => 'SqlDatabase', output_credential_name => 'job_credential', output_server_name => 'o.example.com',
          output_database_name => 'od', output_schema_name => 'os', output_table_name => 'ot', max_parallelism => 7,
          output_engine => 'sqlserver')"""));
    assertEquals(List.of(List.of(1, "first"), List.of(2, "one"), List.of(3, "two")),
      db.query("SELECT step_id, step_name FROM jobs.jobsteps WHERE job_name = 'Update' ORDER BY step_id"),
      "moved to 1 and renamed in one version; the others renumbered");
    assertEquals(List.of("7", "1", "first", "Sql", "Inline", "SELECT 1", "refresh_credential", "Databases", "2", "20",
      "3", "1", "60", "SqlDatabase", "job_credential", "", "", "o.example.com", "od", "os", "ot", "7"), step("Update", 1));
  }

  @Test
  void sp_update_jobstep_refusals_change_nothing() throws Exception {
    call("CALL jobs.sp_add_job('Selectors')");
    addStep("Selectors", "one");
    addStep("Selectors", "two");
    refused("FJ400", "step_id", "step_id or step_name is required.",
      "CALL jobs.sp_update_jobstep('Selectors', retry_attempts => 1)");
    refused("FJ404", "step_id", "Job 'Selectors' has no step 3.",
      "CALL jobs.sp_update_jobstep('Selectors', 3, retry_attempts => 1)");
    refused("FJ404", "step_name", "Job 'Selectors' has no step 'three'.",
      "CALL jobs.sp_update_jobstep('Selectors', step_name => 'three', retry_attempts => 1)");
    refused("FJ400", "step_name", "step_id 1 is step 'one' of job 'Selectors', not 'two'.",
      "CALL jobs.sp_update_jobstep('Selectors', 1, 'two', retry_attempts => 1)");
    refused("FJ404", "job_name", "Job 'Nope' does not exist.", "CALL jobs.sp_update_jobstep('Nope', 1, retry_attempts => 1)");
    refused("FJ400", "new_id", "new_id must be between 1 and 2: step ids start at 1 and leave no gaps.",
      "CALL jobs.sp_update_jobstep('Selectors', 1, new_id => 3)");
    refused("FJ409", "new_name", "Job 'Selectors' already has a step 'two'.",
      "CALL jobs.sp_update_jobstep('Selectors', 1, new_name => 'two')");
    refused("FJ400", "step_timeout_seconds", "step_timeout_seconds must be at least 1.",
      "CALL jobs.sp_update_jobstep('Selectors', 1, step_timeout_seconds => 0)");
    refused("FJ422", "target_group_name", "Target group 'Nope' does not exist.",
      "CALL jobs.sp_update_jobstep('Selectors', 1, target_group_name => 'Nope')");
    refused("FJ400", "command_type", "command_type must be one of TSql, Sql.",
      "CALL jobs.sp_update_jobstep('Selectors', 1, command_type => 'Shell')");
    refused("FJ400", "output_type", "output_type is required when any output setting is given.",
      "CALL jobs.sp_update_jobstep('Selectors', 1, output_table_name => 't')");
  }

  @Test
  void sp_delete_jobstep_renumbers_the_others_and_returns_the_new_version() throws Exception {
    call("CALL jobs.sp_add_job('Delete')");
    addStep("Delete", "one");
    addStep("Delete", "two");
    addStep("Delete", "three");
    assertEquals(Map.of("job_version", 4), call("CALL jobs.sp_delete_jobstep('Delete', 2)"));
    assertEquals(Map.of("job_version", 5), call("CALL jobs.sp_delete_jobstep(job_name => 'Delete', step_name => 'one')"));
    assertEquals(List.of(List.of(1, "three")),
      db.query("SELECT step_id, step_name FROM jobs.jobsteps WHERE job_name = 'Delete'"));
    refused("FJ400", "step_id", "step_id or step_name is required.", "CALL jobs.sp_delete_jobstep('Delete')");
    refused("FJ404", "step_id", "Job 'Delete' has no step 2.", "CALL jobs.sp_delete_jobstep('Delete', 2)");
    refused("FJ404", "step_name", "Job 'Delete' has no step 'two'.",
      "CALL jobs.sp_delete_jobstep('Delete', step_name => 'two')");
    refused("FJ400", "step_name", "step_id 1 is step 'three'", "CALL jobs.sp_delete_jobstep('Delete', 1, 'one')");
    refused("FJ404", "job_name", "Job 'Nope' does not exist.", "CALL jobs.sp_delete_jobstep('Nope', 1)");
  }

  // ---------------------------------------------------------------------------------------------------------
  // Executions

  @Test
  void sp_start_job_returns_the_execution_it_started_and_sp_stop_job_cancels_it() throws Exception {
    call("CALL jobs.sp_add_job('Manual', enabled => 0)");
    addStep("Manual", "s");
    UUID id = (UUID) call("CALL jobs.sp_start_job('Manual')").get("job_execution_id");
    assertEquals(List.of(List.of("Manual", true, "Created", 0)), db.query("""
        SELECT job_name, is_active, lifecycle, current_attempts FROM jobs.job_executions
         WHERE job_execution_id = ? AND step_id IS NULL""", id), "a disabled job starts by hand");
    UUID named = (UUID) call("CALL jobs.sp_start_job(job_name => 'Manual', job_execution_id => NULL)")
      .get("job_execution_id");
    assertTrue(!named.equals(id), "each start is an execution of its own");
    refused("FJ404", "job_name", "Job 'Nope' does not exist.", "CALL jobs.sp_start_job('Nope')");
    refused("FJ400", "job_name", "job_name is required.", "CALL jobs.sp_start_job(NULL)");

    call("CALL jobs.sp_stop_job('" + id + "')");
    assertEquals(List.of(List.of(false, "Canceled")), db.query(
      "SELECT is_active, lifecycle FROM jobs.job_executions WHERE job_execution_id = ? AND step_id IS NULL", id));
    call("CALL jobs.sp_stop_job(job_execution_id => '" + id + "')");
    assertEquals(List.of(List.of(false, "Canceled")), db.query(
      "SELECT is_active, lifecycle FROM jobs.job_executions WHERE job_execution_id = ? AND step_id IS NULL", id),
      "an execution that has ended is left as it is");
    refused("FJ404", "job_execution_id", "There is no job execution 01234567-89ab-cdef-0123-456789abcdef.",
      "CALL jobs.sp_stop_job('01234567-89ab-cdef-0123-456789abcdef')");
    refused("FJ400", "job_execution_id", "job_execution_id is required.", "CALL jobs.sp_stop_job()");
  }

  @Test
  void sp_purge_jobhistory_removes_exactly_the_finished_executions_older_than_oldest_date() throws Exception {
    call("CALL jobs.sp_add_job('History')");
    addStep("History", "s");
    call("CALL jobs.sp_add_job('Other')");
    addStep("Other", "s");
    UUID january = ended("History", "2026-01-15 00:00:00");
    UUID march = ended("History", "2026-03-15 00:00:00");
    UUID may = ended("History", "2026-05-15 00:00:00");
    UUID running = (UUID) call("CALL jobs.sp_start_job('History')").get("job_execution_id");
    UUID other = ended("Other", "2026-01-15 00:00:00");

    call("CALL jobs.sp_purge_jobhistory(job_name => 'History', oldest_date => '2026-03-15 00:00:00')");
    assertEquals(Set.of(march, may, running), executions("History"),
      "only what ended before oldest_date went; the one that ended at it stays");
    UUID jobId = (UUID) db.value("SELECT job_id FROM jobs.jobs WHERE job_name = 'History'");
    call("CALL jobs.sp_purge_jobhistory(NULL, '" + jobId + "', '2026-04-01')");
    assertEquals(Set.of(may, running), executions("History"));
    call("CALL jobs.sp_purge_jobhistory('History')");
    assertEquals(Set.of(running), executions("History"), "all finished history; never a run in progress");
    assertEquals(Set.of(other), executions("Other"), "other jobs' history is untouched");
    assertEquals(1, db.count("SELECT count(*) FROM jobs.jobsteps WHERE job_name = 'History'"), "the job stays");

    refused("FJ400", "job_name", "job_name or job_id is required.", "CALL jobs.sp_purge_jobhistory()");
    refused("FJ400", "job_id", "job_id cannot be given with job_name", "CALL jobs.sp_purge_jobhistory('History', '"
      + jobId + "')");
    refused("FJ404", "job_name", "Job 'Nope' does not exist.", "CALL jobs.sp_purge_jobhistory('Nope')");
    refused("FJ404", "job_id", "Job 01234567-89ab-cdef-0123-456789abcdef does not exist.",
      "CALL jobs.sp_purge_jobhistory(job_id => '01234567-89ab-cdef-0123-456789abcdef')");
    call("CALL jobs.sp_delete_job('Other')");
    call("CALL jobs.sp_purge_jobhistory(job_name => 'Other')");
  }

  // ---------------------------------------------------------------------------------------------------------
  // Target groups

  @Test
  void sp_add_target_group_returns_its_id_and_refuses_a_name_in_use() throws Exception {
    UUID id = (UUID) call("CALL jobs.sp_add_target_group('ServerGroup1')").get("target_group_id");
    assertEquals(id, db.value("SELECT target_group_id FROM jobs.target_groups WHERE target_group_name = 'ServerGroup1'"));
    call("CALL jobs.sp_add_target_group(target_group_name => 'Named', target_group_id => NULL)");
    refused("FJ409", "target_group_name", "Target group 'ServerGroup1' already exists.",
      "CALL jobs.sp_add_target_group('ServerGroup1')");
    refused("FJ400", "target_group_name", "target_group_name must be at most 128 characters.",
      "CALL jobs.sp_add_target_group('" + "g".repeat(129) + "')");
    refused("FJ400", "target_group_name", "target_group_name is required.", "CALL jobs.sp_add_target_group(NULL)");
  }

  @Test
  void sp_add_target_group_member_applies_the_defaults_and_returns_the_target_id() throws Exception {
    call("CALL jobs.sp_add_target_group('Members')");
    UUID server = (UUID) call("""
        CALL jobs.sp_add_target_group_member(target_group_name => 'Members', target_type => 'SqlServer',
          refresh_credential_name => 'refresh_credential', server_name => 'London.database.windows.net')""")
      .get("target_id");
    UUID excluded = (UUID) call("""
        CALL jobs.sp_add_target_group_member('Members', 'Exclude', 'SqlDatabase', NULL,
          'London.database.windows.net', 'MappingDB')""").get("target_id");
    UUID pool = (UUID) call("""
        CALL jobs.sp_add_target_group_member(target_group_name => 'Members', target_type => 'SqlElasticPool',
          server_name => 'server1.database.windows.net', elastic_pool_name => 'ElasticPool-1')""").get("target_id");
    UUID mssql = (UUID) call("""
        CALL jobs.sp_add_target_group_member(target_group_name => 'Members', membership_type => 'Include',
          target_type => 'SqlDatabase', server_name => 'server1.database.windows.net', database_name => 'master',
          target_id => NULL, engine => 'sqlserver')""").get("target_id");
    assertEquals(List.of(
      List.of(server.toString(), "Include", "SqlServer", "postgresql", "refresh_credential", LONDON, "", ""),
      List.of(excluded.toString(), "Exclude", "SqlDatabase", "postgresql", "", LONDON, "MappingDB", ""),
      List.of(pool.toString(), "Include", "SqlElasticPool", "sqlserver", "", SERVER1, "", "ElasticPool-1"),
      List.of(mssql.toString(), "Include", "SqlDatabase", "sqlserver", "", SERVER1, "master", "")),
      db.query("""
        SELECT v.target_id::text, v.membership_type, v.target_type, m.engine, coalesce(v.refresh_credential_name, ''),
               v.server_name, coalesce(v.database_name, ''), coalesce(v.elastic_pool_name, '')
          FROM jobs.target_group_members v
          JOIN jobs_internal.target_group_members m ON m.target_id = v.target_id
         WHERE v.target_group_name = 'Members' ORDER BY m.member_position"""),
      "Include and postgresql by default; an elastic pool is sqlserver's");
  }

  @Test
  void sp_add_target_group_member_refusals_change_nothing() throws Exception {
    String member = "CALL jobs.sp_add_target_group_member('Databases', target_type => 'SqlDatabase', server_name => '"
      + PG_SERVER + "'";
    refused("FJ404", "target_group_name", "Target group 'Nope' does not exist.",
      member.replace("'Databases'", "'Nope'") + ", database_name => 'db2')");
    refused("FJ400", "membership_type", "membership_type must be one of Include, Exclude.",
      member + ", database_name => 'db2', membership_type => 'Maybe')");
    refused("FJ400", "target_type", "target_type must be one of SqlServer, SqlElasticPool, SqlDatabase.",
      "CALL jobs.sp_add_target_group_member('Databases', server_name => 's', database_name => 'db2')");
    refused("FJ400", "target_type", "target_type must be one of", member.replace("'SqlDatabase'", "'SqlShardMap'") + ")");
    refused("FJ400", "database_name", "A SqlDatabase member needs a database name.", member + ")");
    refused("FJ400", "server_name", "server_name is required.",
      "CALL jobs.sp_add_target_group_member('Databases', target_type => 'SqlDatabase', database_name => 'db2')");
    refused("FJ400", "server_name", "server_name must be at most 128 characters.", member.replace(PG_SERVER,
      "s".repeat(129)) + ", database_name => 'db2')");
    refused("FJ400", "elastic_pool_name", "A SqlElasticPool member needs an elastic pool name.",
      member.replace("'SqlDatabase'", "'SqlElasticPool'") + ")");
    refused("FJ400", "engine", "Elastic pools exist only on the sqlserver engine.",
      member.replace("'SqlDatabase'", "'SqlElasticPool'") + ", elastic_pool_name => 'p', engine => 'postgresql')");
    refused("FJ400", "engine", "engine must be one of postgresql, sqlserver, mysql.",
      member + ", database_name => 'db2', engine => 'oracle')");
    refused("FJ409", "database_name", "Target group 'Databases' already has a member that selects the same databases",
      member + ", database_name => 'db1', membership_type => 'Exclude')");
    refused("FJ422", "refresh_credential_name", "Credential 'nope' does not exist.",
      member.replace("'SqlDatabase'", "'SqlServer'") + ", refresh_credential_name => 'nope')");
    refused("FJ400", "refresh_credential_name", "An included postgresql SqlServer member needs a refresh credential",
      member.replace("'SqlDatabase'", "'SqlServer'") + ")");
  }

  @Test
  void sp_delete_target_group_member_keeps_the_other_members_ids() throws Exception {
    UUID db2 = (UUID) call("CALL jobs.sp_add_target_group_member('Databases', target_type => 'SqlDatabase', server_name => '"
      + PG_SERVER + "', database_name => 'db2')").get("target_id");
    UUID db3 = (UUID) call("CALL jobs.sp_add_target_group_member('Databases', target_type => 'SqlDatabase', server_name => '"
      + PG_SERVER + "', database_name => 'db3')").get("target_id");
    call("CALL jobs.sp_delete_target_group_member(target_group_name => 'Databases', target_id => '" + db2 + "')");
    assertEquals(List.of("db1", "db3:" + db3), db.query("""
        SELECT database_name || CASE WHEN database_name = 'db3' THEN ':' || target_id ELSE '' END
          FROM jobs.target_group_members WHERE target_group_name = 'Databases' ORDER BY database_name""")
      .stream().map(row -> row.get(0)).toList());
    refused("FJ404", "target_id", "Target group 'Databases' has no member " + db2 + ".",
      "CALL jobs.sp_delete_target_group_member('Databases', '" + db2 + "')");
    refused("FJ400", "target_id", "target_id is required.", "CALL jobs.sp_delete_target_group_member('Databases')");
    refused("FJ404", "target_group_name", "Target group 'Nope' does not exist.",
      "CALL jobs.sp_delete_target_group_member('Nope', '" + db3 + "')");
  }

  @Test
  void sp_delete_target_group_removes_it_with_its_members_unless_a_step_uses_it() throws Exception {
    call("CALL jobs.sp_add_job('User')");
    addStep("User", "s");
    refused("FJ409", "target_group_name", "Target group 'Databases' is used by step 's' of job 'User'.",
      "CALL jobs.sp_delete_target_group('Databases')");
    refused("FJ404", "target_group_name", "Target group 'Nope' does not exist.", "CALL jobs.sp_delete_target_group('Nope')");
    refused("FJ400", "target_group_name", "target_group_name is required.", "CALL jobs.sp_delete_target_group(NULL)");
    call("CALL jobs.sp_delete_job('User')");
    call("CALL jobs.sp_delete_target_group(target_group_name => 'Databases')");
    assertEquals(0, db.count("SELECT count(*) FROM jobs.target_groups"));
    assertEquals(0, db.count("SELECT count(*) FROM jobs.target_group_members"));
  }

  // ---------------------------------------------------------------------------------------------------------

  /** Runs a CALL and returns its row (the OUTPUT parameters), or an empty map when it has none. */
  private Map<String, Object> call(String sql) throws SQLException {
    return TsqlSession.on(db.connection()).call(sql);
  }

  /**
   * Asserts that the call fails with the SQLSTATE, names the parameter (COLUMN), says the message (its start), and
   * leaves every definition and execution as it was.
   */
  private void refused(String sqlState, String parameter, String message, String sql) throws SQLException {
    String before = state();
    PSQLException failure = assertThrows(PSQLException.class, () -> call(sql), sql);
    assertEquals(sqlState, failure.getSQLState(), sql + ": " + failure.getMessage());
    assertEquals(parameter, failure.getServerErrorMessage().getColumn(), sql + ": " + failure.getMessage());
    String said = failure.getServerErrorMessage().getMessage();
    assertTrue(said.startsWith(message), sql + " said: " + said);
    assertEquals(before, state(), sql + " changed something");
  }

  private String state() throws SQLException {
    return (String) db.value("""
        SELECT concat_ws(E'\\n',
          (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM jobs_internal.jobs x),
          (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM jobs_internal.job_versions x),
          (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM jobs_internal.jobstep_versions x),
          (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM jobs_internal.target_groups x),
          (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM jobs_internal.target_group_members x),
          (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM jobs_internal.job_executions x),
          (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM jobs_internal.deleted_jobs x))""");
  }

  /** The job's row of jobs.jobs as text, from job_id on. */
  private List<String> job(String name) throws SQLException {
    return texts(db.query("""
        SELECT job_id::text, job_version::text, description, enabled::text, schedule_interval_type,
               schedule_interval_count::text, schedule_start_time::text, schedule_end_time::text
          FROM jobs.jobs WHERE job_name = ?""", name));
  }

  /** The step's row of jobs.jobsteps as text, from job_version on; '' for NULL. */
  private List<String> step(String job, int stepId) throws SQLException {
    return texts(db.query("""
        SELECT job_version::text, step_id::text, step_name, command_type, command_source, command, credential_name,
               target_group_name, initial_retry_interval_seconds::text, maximum_retry_interval_seconds::text,
               retry_interval_backoff_multiplier::text, retry_attempts::text, step_timeout_seconds::text, output_type,
               output_credential_name, output_subscription_id::text, output_resource_group_name, output_server_name,
               output_database_name, output_schema_name, output_table_name, max_parallelism::text
          FROM jobs.jobsteps WHERE job_name = ? AND step_id = ?""", job, stepId));
  }

  private static List<String> texts(List<List<Object>> rows) {
    assertEquals(1, rows.size(), "one row: " + rows);
    return rows.get(0).stream().map(value -> value == null ? "" : value.toString()).toList();
  }

  private void addStep(String job, String step) throws SQLException {
    call("CALL jobs.sp_add_jobstep('" + job + "', step_name => '" + step + "', command => 'SELECT 1',"
      + " credential_name => 'job_credential', target_group_name => 'Databases')");
  }

  /** Starts and stops an execution of the job and dates its end, as if it had ended then (UTC). */
  private UUID ended(String job, String endTime) throws SQLException {
    UUID id = (UUID) call("CALL jobs.sp_start_job('" + job + "')").get("job_execution_id");
    call("CALL jobs.sp_stop_job('" + id + "')");
    db.query("UPDATE jobs_internal.job_executions SET end_time = ?::timestamp AT TIME ZONE 'UTC'"
      + " WHERE job_execution_id = ?", endTime, id);
    return id;
  }

  private Set<UUID> executions(String job) throws SQLException {
    return db.query("SELECT job_execution_id FROM jobs.job_executions WHERE job_name = ? AND step_id IS NULL", job)
      .stream().map(row -> (UUID) row.get(0)).collect(Collectors.toSet());
  }
}
