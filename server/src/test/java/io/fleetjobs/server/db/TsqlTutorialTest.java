package io.fleetjobs.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fleetjobs.server.targets.jdbc.PostgresJdbcDialect;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Psql;
import io.fleetjobs.server.testsupport.TargetServer;
import io.fleetjobs.server.testsupport.TcpGate;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.fleetjobs.server.testsupport.TsqlSession;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Microsoft's tutorial "Create and manage elastic jobs by using T-SQL", translated mechanically
 * (src/test/resources/tsql-tutorial/elastic-jobs-tsql-tutorial.sql says how) and run with psql, section by section
 * and in order, as a jobs_admin login on the job database of a running agent. Each test runs one section and checks
 * the effect the tutorial documents. server1 is a PostgreSQL that the agent's sqlserver engine reaches through the
 * test dialect, as a SQL Server with an elastic pool (the databases commented ElasticPool-1), a dbo schema in each
 * database, and a TCP gate in front; London and server2 are PostgreSQL servers.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TsqlTutorialTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final Map<String, String> SECTIONS = sections();
  private static TargetServer server1;
  private static TargetServer london;
  private static TargetServer server2;
  private static TcpGate server1Gate;
  private static AgentFixture agent;
  private static Executions executions;
  private static TsqlSession owner;
  private static Psql psql;
  private static List<CompletableFuture<TargetServer>> starting = List.of();

  @BeforeAll
  static void start(Vertx vertx) throws SQLException {
    psql = Psql.requireOrSkip();
    // Each server takes seconds to start: they start together, and the agent meanwhile.
    starting = Stream.generate(() -> CompletableFuture.supplyAsync(TargetServer::start)).limit(3).toList();
    agent = AgentFixture.start(vertx, "tsql_tutorial", new JsonObject(), new PostgresJdbcDialect());
    server1 = starting.get(0).join();
    london = starting.get(1).join();
    server2 = starting.get(2).join();
    // The tutorial's "Create a login ... and users in each user database", in PostgreSQL.
    for (TargetServer server : List.of(server1, london, server2)) {
      server.execute("postgres", "CREATE ROLE job_credential LOGIN PASSWORD 'job-secret'",
        "CREATE ROLE refresh_credential LOGIN PASSWORD 'refresh-secret'");
    }
    server1.createDatabases("pool1_a", "pool1_b", "\"MappingDB\"", "resultsdb");
    for (String database : List.of("pool1_a", "pool1_b", "MappingDB", "resultsdb")) {
      server1.execute(database, "CREATE SCHEMA dbo", "GRANT USAGE, CREATE ON SCHEMA dbo TO job_credential");
    }
    server1.execute("postgres", "COMMENT ON DATABASE pool1_a IS 'ElasticPool-1'",
      "COMMENT ON DATABASE pool1_b IS 'ElasticPool-1'");
    london.createDatabases("london_a", "london_b");
    server2.createDatabases("s2_a");
    server1Gate = TcpGate.start(vertx, server1.port(), TcpGate.State.OPEN);

    executions = new Executions(agent.admin());
    // The tutorial's CREATE DATABASE SCOPED CREDENTIAL, through the REST API: the agent seals the passwords.
    agent.admin().put("/credentials/job_credential", new JsonObject().put("username", "job_credential")
      .put("password", "job-secret"));
    agent.admin().put("/credentials/refresh_credential", new JsonObject().put("username", "refresh_credential")
      .put("password", "refresh-secret"));
    psql.connectAs(TestPostgres.server().getPort(), agent.database(),
      TsqlSession.createLogin(agent.database(), "tutorial_dba", "jobs_admin"));
    psql.define("server1", server1Gate.serverName());
    psql.define("london", london.serverName());
    psql.define("server2", server2.serverName());
    owner = TsqlSession.on(agent.jdbc());
  }

  @AfterAll
  static void stop() throws SQLException {
    if (owner != null) {
      owner.close();
      server1Gate.close();
    }
    if (agent != null) {
      agent.close();
    }
    starting.forEach(server -> server.thenAccept(TargetServer::close).exceptionally(failed -> null).join());
  }

  @Test
  @Order(1)
  void define_target_servers_and_databases() throws SQLException {
    String shown = run("Define target servers and databases");
    assertTrue(shown.contains("ServerGroup1"), shown);
    assertEquals(List.of(List.of("Include", "SqlServer", server1Gate.serverName(), "refresh_credential")),
      owner.rows("SELECT membership_type, target_type, server_name, refresh_credential_name"
        + " FROM jobs.target_group_members WHERE target_group_name = 'ServerGroup1'"));
    assertEquals(List.of("MappingDB", "pool1_a", "pool1_b", "resultsdb"), preview("ServerGroup1"),
      "every database of the server");
  }

  @Test
  @Order(2)
  void exclude_an_individual_database() throws SQLException {
    run("Exclude an individual database");
    assertEquals(List.of(List.of("Include", "SqlServer", london.serverName(), ""),
        List.of("Include", "SqlServer", server2.serverName(), ""),
        List.of("Exclude", "SqlDatabase", server1Gate.serverName(), "MappingDB")),
      owner.rows("SELECT membership_type, target_type, server_name, coalesce(database_name, '')"
        + " FROM jobs.target_group_members WHERE target_group_name = 'ServerGroup' ORDER BY membership_type DESC,"
        + " server_name = '" + london.serverName() + "' DESC"));
    assertEquals(List.of("london_a", "london_b", "s2_a"), preview("ServerGroup"),
      "London's and server2's databases; MappingDB is on server1, which the group does not include");
  }

  @Test
  @Order(3)
  void create_a_target_group_of_pools() {
    run("Create a target group (pools)");
    assertEquals(List.of("pool1_a", "pool1_b"), preview("PoolGroup"), "the databases of ElasticPool-1");
  }

  @Test
  @Order(4)
  void deploy_new_schema_to_many_databases() throws SQLException {
    run("Deploy new schema to many databases");
    assertEquals(List.of(List.of("1", "1", "JobStep", "TSql", "job_credential", "PoolGroup", "10", "43200")), owner.rows("""
        SELECT job_version, step_id, step_name, command_type, credential_name, target_group_name, retry_attempts,
               step_timeout_seconds
          FROM jobs.jobsteps WHERE job_name = 'CreateTableTest'"""), "the first step's defaults; version 1");
  }

  @Test
  @Order(5)
  void monitor_database_performance() throws SQLException {
    run("Monitor database performance");
    assertEquals(List.of(
        List.of("CreateTableTest", "f", "Once", "1", ""),
        List.of("ResultsJob", "f", "Once", "1", "db_resource_stats dbo"),
        List.of("ResultsPoolsJob", "f", "Minutes", "15", "resultstable dbo")),
      owner.rows("""
        SELECT j.job_name, j.enabled, j.schedule_interval_type, j.schedule_interval_count,
               coalesce(s.output_table_name || ' ' || s.output_schema_name, '')
          FROM jobs.jobs j JOIN jobs.jobsteps s USING (job_id) ORDER BY 1"""),
      "ResultsPoolsJob has its 15-minute schedule but is not enabled; outputs default to the dbo schema");
  }

  @Test
  @Order(6)
  void run_the_job() throws SQLException {
    String shown = run("Run the job");
    List<List<String>> started = owner.rows("SELECT job_execution_id FROM jobs.job_executions"
      + " WHERE job_name = 'CreateTableTest' AND step_id IS NULL");
    assertEquals(2, started.size(), "two starts");
    for (List<String> execution : started) {
      String lifecycle = executions.awaitEnd("CreateTableTest", execution.get(0), PATIENCE).getString("lifecycle");
      assertTrue(List.of("Succeeded", "SucceededWithSkipped").contains(lifecycle), lifecycle);
    }
    assertTrue(started.stream().anyMatch(id -> shown.contains(id.get(0))), "the OUTPUT id was shown: " + shown);
    for (String database : List.of("pool1_a", "pool1_b")) {
      assertEquals(List.of("Test"), server1.column(database,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'dbo'"), database);
    }
  }

  @Test
  @Order(7)
  void schedule_execution_of_a_job() throws SQLException {
    run("Schedule execution of a job");
    assertEquals(List.of(List.of("Collection Performance data from all customers", "t", "Minutes", "15",
      "0001-01-01 00:00:00", "9999-12-31 11:59:59")), owner.rows("""
        SELECT description, enabled, schedule_interval_type, schedule_interval_count, schedule_start_time,
               schedule_end_time FROM jobs.jobs WHERE job_name = 'ResultsJob'"""),
      "enabled on a 15-minute schedule; the description and the window stay");
    String id = awaitScheduledRun("ResultsJob");
    assertEquals("Succeeded", executions.awaitEnd("ResultsJob", id, PATIENCE).getString("lifecycle"),
      "its schedule starts in the past (0001-01-01), so it ran when it was enabled");
    assertEquals(List.of("pool1_a " + id + " " + id, "pool1_b " + id + " " + id), server1.column("resultsdb", """
        SELECT "DatabaseName" || ' ' || job_execution_id || ' ' || internal_execution_id
          FROM dbo.db_resource_stats ORDER BY 1"""), "one row per pool database, in the output table");
    Executions.sleep(2000);
    assertEquals(1, owner.rows("SELECT 1 FROM jobs_internal.job_executions e JOIN jobs_internal.jobs j USING (job_id)"
      + " WHERE j.job_name = 'ResultsJob' AND e.trigger_type = 'Schedule'").size(), "once, then every 15 minutes");
  }

  @Test
  @Order(8)
  void view_job_definitions() throws SQLException {
    String shown = run("View job definitions");
    for (String job : List.of("CreateTableTest", "ResultsJob", "ResultsPoolsJob")) {
      assertTrue(shown.contains(job), shown);
    }
    assertEquals(List.of(List.of("CreateTableTest", "1"), List.of("ResultsJob", "1"), List.of("ResultsPoolsJob", "1")),
      owner.rows("SELECT job_name, count(*) FROM jobs.jobstep_versions GROUP BY 1 ORDER BY 1"));
  }

  @Test
  @Order(9)
  void monitor_job_execution_status() throws SQLException {
    String shown = run("Monitor job execution status");
    assertEquals(List.of(List.of("CreateTableTest", "f"), List.of("CreateTableTest", "f"), List.of("ResultsJob", "f")),
      owner.rows("SELECT job_name, is_active FROM jobs.job_executions WHERE step_id IS NULL ORDER BY 1"));
    assertTrue(shown.contains("(0 rows)"), "ResultsPoolsJob was never enabled nor started: " + shown);
  }

  @Test
  @Order(10)
  void cancel_a_job() throws SQLException {
    // server1 hangs up while the execution runs, so it is still running (retrying) when the tutorial stops it.
    server1Gate.set(TcpGate.State.CLOSED);
    try {
      run("Cancel a job");
      List<List<String>> canceled = owner.rows("SELECT job_execution_id FROM jobs.job_executions"
        + " WHERE job_name = 'ResultsPoolsJob' AND step_id IS NULL");
      assertEquals(1, canceled.size());
      assertEquals("Canceled", executions.awaitEnd("ResultsPoolsJob", canceled.get(0).get(0), PATIENCE)
        .getString("lifecycle"));
      assertEquals(List.of(), owner.rows("SELECT 1 FROM jobs.job_executions WHERE is_active"));
    } finally {
      server1Gate.set(TcpGate.State.OPEN);
    }
  }

  @Test
  @Order(11)
  void delete_old_job_history() throws SQLException {
    run("Delete old job history");
    assertEquals(1, owner.rows("SELECT 1 FROM jobs.job_executions WHERE job_name = 'ResultsPoolsJob'"
      + " AND step_id IS NULL").size(), "nothing ended before 2016-07-01");
    String typo = psql.runFailing("CALL jobs.sp_purge_jobhistory(job_name => 'ResultPoolsJob', "
      + "oldest_date => '2016-07-01 00:00:00');");
    assertTrue(typo.contains("Job 'ResultPoolsJob' does not exist."), "the tutorial's spelling is refused: " + typo);
  }

  @Test
  @Order(12)
  void delete_a_job_and_all_its_job_history() throws SQLException {
    run("Delete a job and all its job history");
    assertEquals(List.of(), owner.rows("SELECT 1 FROM jobs.jobs WHERE job_name = 'ResultsPoolsJob'"));
    assertEquals(List.of(), owner.rows("SELECT 1 FROM jobs.job_executions WHERE job_name = 'ResultsPoolsJob'"));
    assertEquals(404, agent.admin().get("/jobs/ResultsPoolsJob").statusCode());
  }

  private static String run(String section) {
    String sql = SECTIONS.get(section);
    if (sql == null) {
      fail("The tutorial has no section '" + section + "': " + SECTIONS.keySet());
    }
    return psql.run(sql);
  }

  /** The databases a run on the group would hit now, by name. */
  private static List<String> preview(String group) {
    JsonObject preview = agent.admin().get("/targetGroups/" + group + "/targets/preview").bodyAsJsonObject();
    return preview.getJsonArray("targets").stream().map(JsonObject.class::cast)
      .map(target -> target.getString("databaseName")).sorted().toList();
  }

  private static String awaitScheduledRun(String job) throws SQLException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (true) {
      List<List<String>> runs = owner.rows("SELECT e.job_execution_id FROM jobs_internal.job_executions e"
        + " JOIN jobs_internal.jobs j USING (job_id) WHERE j.job_name = '" + job + "' AND e.trigger_type = 'Schedule'");
      if (!runs.isEmpty()) {
        return runs.get(0).get(0);
      }
      assertTrue(System.nanoTime() < deadline, job + " did not run by its schedule");
      Executions.sleep(100);
    }
  }

  /** The translated tutorial's sections, by their "-- ## " titles, in order. */
  private static Map<String, String> sections() {
    String script;
    try (InputStream in = TsqlTutorialTest.class.getResourceAsStream("/tsql-tutorial/elastic-jobs-tsql-tutorial.sql")) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Map<String, String> sections = new LinkedHashMap<>();
    String[] parts = script.split("(?m)^-- ## ");
    for (int i = 1; i < parts.length; i++) {
      int newline = parts[i].indexOf('\n');
      sections.put(parts[i].substring(0, newline).strip(), parts[i].substring(newline + 1));
    }
    return sections;
  }
}
