package io.fleetjobs.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.TsqlSession;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The jobs.sp_* procedures with a running agent and a real target server, called through real logins of the
 * jobs_admin, jobs_operator and jobs_reader roles: the same definitions as the REST API's, UTC times whatever the
 * session's time zone, executions that run and stop on the targets, history purged, and each role's reach.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TsqlSurfaceTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
    .withZone(ZoneOffset.UTC);
  private static AgentFixture agent;
  private static TargetServer server;
  private static Executions executions;
  private static TsqlSession admin;
  private static TsqlSession operator;
  private static TsqlSession reader;

  @BeforeAll
  static void start(Vertx vertx) throws SQLException {
    server = TargetServer.start();
    server.createDatabases("sf_a", "sf_b");
    agent = AgentFixture.start(vertx, "tsql_surface");
    executions = new Executions(agent.admin());
    agent.admin().put("/credentials/job", new JsonObject().put("username", "postgres").put("password", "x"));
    agent.admin().put("/credentials/refresh", new JsonObject().put("username", "postgres").put("password", "x"));
    admin = TsqlSession.login(agent.database(), "tsql_admin", "jobs_admin");
    operator = TsqlSession.login(agent.database(), "tsql_operator", "jobs_operator");
    reader = TsqlSession.login(agent.database(), "tsql_reader", "jobs_reader");
    admin.call("CALL jobs.sp_add_target_group('a-only')");
    admin.call("CALL jobs.sp_add_target_group_member('a-only', target_type => 'SqlDatabase', server_name => '"
      + server.serverName() + "', database_name => 'sf_a')");
  }

  @AfterAll
  static void stop() throws SQLException {
    admin.close();
    operator.close();
    reader.close();
    agent.close();
    server.close();
  }

  @Test
  void the_same_definitions_through_sql_and_through_rest_read_back_identical() throws SQLException {
    String s = server.serverName();
    admin.call("CALL jobs.sp_add_target_group('sql-group')");
    admin.call("CALL jobs.sp_add_target_group_member('sql-group', target_type => 'SqlServer',"
      + " refresh_credential_name => 'refresh', server_name => '" + s + "')");
    admin.call("CALL jobs.sp_add_target_group_member('sql-group', membership_type => 'Exclude',"
      + " target_type => 'SqlDatabase', server_name => '" + s + "', database_name => 'sf_b')");
    admin.call("""
        CALL jobs.sp_add_job('sql-job', description => 'the same', enabled => 1, schedule_interval_type => 'Hours',
          schedule_interval_count => 6, schedule_start_time => '2099-01-01 06:00:00',
          schedule_end_time => '2100-01-01 00:00:00')""");
    admin.call("CALL jobs.sp_add_jobstep('sql-job', step_name => 'collect', command => 'SELECT 1 AS one',"
      + " credential_name => 'job', target_group_name => 'sql-group', retry_attempts => 2, step_timeout_seconds => 300,"
      + " output_type => 'SqlDatabase', output_credential_name => 'job', output_server_name => '" + s + "',"
      + " output_database_name => 'sf_a', output_table_name => 'collected', max_parallelism => 5)");
    admin.call("CALL jobs.sp_add_jobstep('sql-job', 1, 'prepare', command => 'SELECT 0', credential_name => 'job',"
      + " target_group_name => 'sql-group')");

    agent.admin().put("/targetGroups/rest-group", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlServer").put("serverName", s).put("refreshCredential", "refresh"))
      .add(new JsonObject().put("membershipType", "Exclude").put("type", "SqlDatabase").put("serverName", s)
        .put("databaseName", "sf_b"))));
    agent.admin().put("/jobs/rest-job", new JsonObject().put("description", "the same").put("schedule", new JsonObject()
      .put("scheduleIntervalType", "Hours").put("scheduleIntervalCount", 6).put("enabled", true)
      .put("startTime", "2099-01-01T06:00:00Z").put("endTime", "2100-01-01T00:00:00Z")));
    agent.admin().put("/jobs/rest-job/steps/collect", new JsonObject().put("targetGroup", "rest-group")
      .put("credential", "job").put("action", new JsonObject().put("type", "TSql").put("value", "SELECT 1 AS one"))
      .put("executionOptions", new JsonObject().put("retryAttempts", 2).put("timeoutSeconds", 300))
      .put("output", new JsonObject().put("serverName", s).put("databaseName", "sf_a").put("tableName", "collected")
        .put("credential", "job"))
      .put("maxParallelism", 5));
    agent.admin().put("/jobs/rest-job/steps/prepare", new JsonObject().put("stepId", 1).put("targetGroup", "rest-group")
      .put("credential", "job").put("action", new JsonObject().put("type", "TSql").put("value", "SELECT 0")));

    assertEquals(2, agent.admin().get("/jobs/sql-job/steps").bodyAsJsonObject().getJsonArray("value").size());
    assertEquals(2, agent.admin().get("/targetGroups/sql-group").bodyAsJsonObject().getJsonArray("members").size());
    for (String path : List.of("/jobs/%s-job", "/jobs/%s-job/steps", "/jobs/%s-job/versions", "/targetGroups/%s-group")) {
      assertEquals(same(agent.admin().get(path.formatted("rest")).bodyAsString()),
        same(agent.admin().get(path.formatted("sql")).bodyAsString()), path);
    }
    for (String view : List.of("jobs.jobs", "jobs.jobsteps", "jobs.jobstep_versions", "jobs.job_versions")) {
      assertEquals(viewRows(view, "rest-job"), viewRows(view, "sql-job"), view);
    }
    assertEquals(
      reader.rows(MEMBERS.formatted("rest-group")).stream().map(row -> row.subList(1, row.size())).toList(),
      reader.rows(MEMBERS.formatted("sql-group")).stream().map(row -> row.subList(1, row.size())).toList());
  }

  private static final String MEMBERS = """
      SELECT target_id, membership_type, target_type, refresh_credential_name, server_name, database_name,
             elastic_pool_name
        FROM jobs.target_group_members WHERE target_group_name = '%s' ORDER BY membership_type DESC""";

  @Test
  void times_are_utc_whatever_the_session_time_zone() throws SQLException {
    admin.call("SET TimeZone = 'Pacific/Chatham'");
    try {
      admin.call("""
          CALL jobs.sp_add_job('chatham', schedule_interval_type => 'Days',
            schedule_start_time => '2026-05-01 10:00:00', schedule_end_time => '2026-12-01 00:00:00')""");
      agent.admin().put("/jobs/utc", new JsonObject().put("schedule", new JsonObject()
        .put("scheduleIntervalType", "Days").put("startTime", "2026-05-01T10:00:00Z").put("endTime", "2026-12-01T00:00:00Z")));
      JsonObject chatham = agent.admin().get("/jobs/chatham").bodyAsJsonObject().getJsonObject("schedule");
      assertEquals(agent.admin().get("/jobs/utc").bodyAsJsonObject().getJsonObject("schedule"), chatham);
      assertEquals("2026-05-01T10:00:00Z", chatham.getString("startTime"));
      assertEquals(List.of(List.of("chatham", "2026-05-01 10:00:00", "2026-12-01 00:00:00"),
        List.of("utc", "2026-05-01 10:00:00", "2026-12-01 00:00:00")), admin.rows("""
          SELECT job_name, schedule_start_time, schedule_end_time FROM jobs.jobs
           WHERE job_name IN ('chatham', 'utc') ORDER BY job_name"""), "the views show UTC in a Chatham session too");
      admin.call("CALL jobs.sp_update_job('chatham', schedule_start_time => '2026-06-01 00:00:00')");
      assertEquals("2026-06-01T00:00:00Z",
        agent.admin().get("/jobs/chatham").bodyAsJsonObject().getJsonObject("schedule").getString("startTime"));
    } finally {
      admin.call("RESET TimeZone");
    }
  }

  @Test
  void sp_start_job_returns_the_id_of_an_execution_that_runs() throws SQLException {
    admin.call("CALL jobs.sp_add_job('runs')");
    admin.call("CALL jobs.sp_add_jobstep('runs', command => 'SELECT current_database()', credential_name => 'job',"
      + " target_group_name => 'a-only')");
    UUID id = (UUID) operator.call("CALL jobs.sp_start_job('runs')").get("job_execution_id");
    assertEquals("Succeeded", executions.awaitEnd("runs", id.toString(), PATIENCE).getString("lifecycle"));
    assertEquals(List.of(List.of("", "Succeeded", "f", "0", ""), List.of("1", "Succeeded", "f", "1", "sf_a")),
      reader.rows("""
        SELECT coalesce(step_id::text, ''), lifecycle, is_active, current_attempts, coalesce(target_database_name, '')
          FROM jobs.job_executions WHERE job_execution_id = '%s' AND (step_id IS NULL OR target_database_name IS NOT NULL)
         ORDER BY step_id NULLS FIRST""".formatted(id)),
      "the parent row and the target row, in the views");
  }

  @Test
  void sp_stop_job_cancels_the_execution_and_its_statements_stop_on_the_targets() throws SQLException {
    admin.call("CALL jobs.sp_add_job('sleeps')");
    admin.call("CALL jobs.sp_add_jobstep('sleeps', command => 'SELECT pg_sleep(600) /* sleeps */',"
      + " credential_name => 'job', target_group_name => 'a-only', retry_attempts => 0)");
    UUID id = (UUID) operator.call("CALL jobs.sp_start_job('sleeps')").get("job_execution_id");
    awaitSleeping("sleeps", true);
    List<List<String>> active = reader.rows("SELECT job_execution_id FROM jobs.job_executions"
      + " WHERE is_active AND job_name = 'sleeps' AND step_id IS NULL");
    assertEquals(List.of(List.of(id.toString())), active, "found as the docs say: WHERE is_active");
    operator.call("CALL jobs.sp_stop_job('" + id + "')");
    assertEquals("Canceled", executions.awaitEnd("sleeps", id.toString(), PATIENCE).getString("lifecycle"));
    awaitSleeping("sleeps", false);
    assertEquals(List.of(), reader.rows("SELECT 1 FROM jobs.job_executions WHERE is_active AND job_name = 'sleeps'"));
  }

  @Test
  void sp_delete_job_with_force_cancels_and_deletes_and_without_it_is_refused_while_the_job_runs() throws SQLException {
    admin.call("CALL jobs.sp_add_job('forced')");
    admin.call("CALL jobs.sp_add_jobstep('forced', command => 'SELECT pg_sleep(600) /* forced */',"
      + " credential_name => 'job', target_group_name => 'a-only', retry_attempts => 0)");
    admin.call("CALL jobs.sp_start_job('forced')");
    awaitSleeping("forced", true);
    SQLException refused = assertThrows(SQLException.class, () -> admin.call("CALL jobs.sp_delete_job('forced')"));
    assertEquals("FJ409", refused.getSQLState());
    assertEquals(200, agent.admin().get("/jobs/forced").statusCode(), "the job and its execution stay");
    admin.call("CALL jobs.sp_delete_job(job_name => 'forced', force => 1)");
    assertEquals(404, agent.admin().get("/jobs/forced").statusCode());
    awaitSleeping("forced", false);
  }

  @Test
  void sp_purge_jobhistory_with_oldest_date_removes_exactly_the_older_executions() throws SQLException {
    admin.call("CALL jobs.sp_add_job('history')");
    admin.call("CALL jobs.sp_add_jobstep('history', command => 'SELECT 1', credential_name => 'job',"
      + " target_group_name => 'a-only')");
    String older = executions.start("history");
    Instant olderEnd = Instant.parse(executions.awaitEnd("history", older, PATIENCE).getString("endTime"));
    Executions.sleep(1100);
    String newer = executions.start("history");
    Instant newerEnd = Instant.parse(executions.awaitEnd("history", newer, PATIENCE).getString("endTime"));
    Instant between = olderEnd.plus(Duration.between(olderEnd, newerEnd).dividedBy(2));
    admin.call("CALL jobs.sp_purge_jobhistory(job_name => 'history', oldest_date => '" + UTC.format(between) + "')");
    assertEquals(Set.of(newer), agent.admin().get("/jobs/history/executions").bodyAsJsonObject().getJsonArray("value")
      .stream().map(JsonObject.class::cast).map(e -> e.getString("jobExecutionId")).collect(Collectors.toSet()));
    assertEquals(404, agent.admin().get("/jobs/history/executions/" + older).statusCode());
  }

  @Test
  void a_change_made_through_sql_is_seen_by_the_next_execution_and_the_api_at_once() throws SQLException {
    admin.call("CALL jobs.sp_add_job('changes')");
    admin.call("CALL jobs.sp_add_jobstep('changes', step_name => 's', command => 'SELECT 1', credential_name => 'job',"
      + " target_group_name => 'a-only')");
    Object version = admin.call("CALL jobs.sp_update_jobstep('changes', step_name => 's',"
      + " command => 'SELECT 1/0')").get("job_version");
    assertEquals(2, version);
    assertEquals(3, agent.admin().get("/jobs/changes/versions").bodyAsJsonObject().getJsonArray("value").size());
    assertEquals("SELECT 1/0", agent.admin().get("/jobs/changes/steps/s").bodyAsJsonObject().getJsonObject("action")
      .getString("value"));
    String id = executions.start("changes");
    JsonObject ended = executions.awaitEnd("changes", id, PATIENCE);
    assertEquals(2, ended.getInteger("jobVersion"));
    assertEquals("Failed", ended.getString("lifecycle"), "it ran the new command: " + ended.encode());
  }

  @Test
  void each_role_reaches_what_it_may_through_a_real_login() throws SQLException {
    admin.call("CALL jobs.sp_add_job('roles')");
    admin.call("CALL jobs.sp_add_jobstep('roles', command => 'SELECT 1', credential_name => 'job',"
      + " target_group_name => 'a-only')");
    UUID started = (UUID) operator.call("CALL jobs.sp_start_job('roles')").get("job_execution_id");
    executions.awaitEnd("roles", started.toString(), PATIENCE);
    operator.call("CALL jobs.sp_stop_job('" + started + "')");
    for (String sql : List.of("CALL jobs.sp_add_job('by-operator')", "CALL jobs.sp_delete_job('roles')",
      "CALL jobs.sp_purge_jobhistory('roles')", "CALL jobs.sp_add_target_group('by-operator')")) {
      assertEquals("42501", assertThrows(SQLException.class, () -> operator.call(sql)).getSQLState(), sql);
    }
    for (String sql : List.of("CALL jobs.sp_start_job('roles')", "CALL jobs.sp_stop_job('" + started + "')",
      "CALL jobs.sp_add_job('by-reader')")) {
      assertEquals("42501", assertThrows(SQLException.class, () -> reader.call(sql)).getSQLState(), sql);
    }
    for (TsqlSession role : List.of(admin, operator, reader)) {
      assertEquals(List.of(List.of("roles")), role.rows("SELECT job_name FROM jobs.jobs WHERE job_name = 'roles'"));
      for (String sql : List.of("SELECT job_name FROM jobs_internal.jobs",
        "SELECT jobs_internal.delete_job('roles', true)", "SELECT jobs_internal.start_execution('roles', gen_random_uuid(),"
          + " 'Manual', NULL)")) {
        assertEquals("42501", assertThrows(SQLException.class, () -> role.call(sql)).getSQLState(), sql);
      }
    }
    admin.call("CALL jobs.sp_delete_job('roles')");
    assertEquals(404, agent.admin().get("/jobs/roles").statusCode());
  }

  /** Waits until the job's sleeping statement is running on the target server, or is gone from it. */
  private static void awaitSleeping(String job, boolean running) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    String query = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600) /* " + job + " */%'"
      + " AND pid <> pg_backend_pid()";
    while (!server.column("postgres", query).get(0).equals(running ? "1" : "0")) {
      assertTrue(System.nanoTime() < deadline, job + (running ? " never started sleeping" : " kept sleeping"));
      Executions.sleep(100);
    }
  }

  /** A response with the two surfaces' names made alike and what differs by nature (ids, times) left out. */
  private static JsonObject same(String body) {
    String named = body.replace("sql-job", "JOB").replace("rest-job", "JOB")
      .replace("sql-group", "GROUP").replace("rest-group", "GROUP");
    return strip(new JsonObject(named));
  }

  private static JsonObject strip(JsonObject json) {
    JsonObject copy = new JsonObject();
    json.forEach(entry -> {
      if (!Set.of("jobId", "targetId", "targetGroupId", "createdTime").contains(entry.getKey())) {
        copy.put(entry.getKey(), strip(entry.getValue()));
      }
    });
    return copy;
  }

  private static Object strip(Object value) {
    if (value instanceof JsonObject object) {
      return strip(object);
    }
    if (value instanceof JsonArray array) {
      return new JsonArray(array.stream().map(TsqlSurfaceTest::strip).toList());
    }
    return value;
  }

  /** A view's rows of the job, without its name and id and the group's. */
  private static List<List<String>> viewRows(String view, String job) throws SQLException {
    return reader.rows("SELECT r FROM (SELECT (to_jsonb(v) - ARRAY['job_name', 'job_id', 'target_group_name',"
      + " 'target_group_id'])::text AS r FROM " + view + " v WHERE v.job_name = '" + job + "') t ORDER BY r");
  }
}
