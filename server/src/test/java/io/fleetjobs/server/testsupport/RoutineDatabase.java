package io.fleetjobs.server.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A migrated job database of its own, for calling the jobs_internal routines directly over JDBC, as the agent
 * does but without it: time, capacity and owners are whatever the test passes. {@link #execution} builds a
 * job, its steps and a started execution through the routines themselves.
 */
public final class RoutineDatabase implements AutoCloseable {
  private final String database;
  private final Connection connection;

  private RoutineDatabase(String database, Connection connection) {
    this.database = database;
    this.connection = connection;
  }

  /** A job database of the test's own: a copy of the one migrated per JVM ({@link TestPostgres#newJobDatabase}). */
  public static RoutineDatabase migrated(String purpose) throws SQLException {
    String database = TestPostgres.newJobDatabase(purpose);
    return new RoutineDatabase(database, TestPostgres.connect(database, "postgres"));
  }

  public String name() {
    return database;
  }

  /** The test's own connection (autocommit); open more with {@link #connect()} to claim concurrently. */
  public Connection connection() {
    return connection;
  }

  public Connection connect() throws SQLException {
    return TestPostgres.connect(database, "postgres");
  }

  public static Timestamp at(Instant time) {
    return time == null ? null : Timestamp.from(time);
  }

  /** Runs a statement with positional parameters and returns every row, each as its columns' values. */
  public List<List<Object>> query(String sql, Object... parameters) throws SQLException {
    return query(connection, sql, parameters);
  }

  public static List<List<Object>> query(Connection on, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = on.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      List<List<Object>> rows = new ArrayList<>();
      if (!statement.execute()) {
        return rows;
      }
      try (ResultSet result = statement.getResultSet()) {
        int columns = result.getMetaData().getColumnCount();
        while (result.next()) {
          List<Object> row = new ArrayList<>();
          for (int c = 1; c <= columns; c++) {
            row.add(result.getObject(c));
          }
          rows.add(row);
        }
      }
      return rows;
    }
  }

  /** The single value of a one-row, one-column query. */
  public Object value(String sql, Object... parameters) throws SQLException {
    List<List<Object>> rows = query(sql, parameters);
    if (rows.size() != 1) {
      throw new AssertionError(sql + " returned " + rows.size() + " rows");
    }
    return rows.get(0).get(0);
  }

  public long count(String sql, Object... parameters) throws SQLException {
    return ((Number) value(sql, parameters)).longValue();
  }

  /**
   * A job of {@code steps} steps, each on {@code targets} databases of server "srv" (retryAttempts as given),
   * started and with its first step's targets created (ready from {@code now}); returns the execution id.
   */
  public UUID execution(String job, int steps, int targets, int retryAttempts, Instant now) throws SQLException {
    StringBuilder members = new StringBuilder("[");
    for (int i = 0; i < targets; i++) {
      members.append(i == 0 ? "" : ",").append("{\"target_type\": \"SqlDatabase\", \"server_name\": \"srv\", ")
        .append("\"database_name\": \"db").append(i).append("\"}");
    }
    query("SELECT jobs_internal.save_target_group(?, ?::jsonb)", job + "-group", members.append("]").toString());
    // A step on postgresql members must name a credential; what it holds does not matter here.
    query("SELECT jobs_internal.save_credential('routine-login', 'postgres', '\\x00'::bytea)");
    query("SELECT jobs_internal.save_job(?, NULL, false, 'Once', 1, NULL, NULL, NULL, NULL, NULL, ?)", job, at(now));
    for (int s = 1; s <= steps; s++) {
      query("SELECT jobs_internal.save_jobstep(?, ?, NULL, ?::jsonb)", job, "step" + s,
        "{\"command\": \"SELECT 1\", \"target_group_name\": \"" + job + "-group\", \"retry_attempts\": "
          + retryAttempts + ", \"credential_name\": \"routine-login\"}");
    }
    UUID id = UUID.randomUUID();
    query("SELECT jobs_internal.start_execution(?, ?, 'Manual', NULL)", job, id);
    startNextStep(id, targets, now);
    return id;
  }

  /** Claims the execution's next step for expansion and starts it on db0..db{targets-1} of "srv". */
  public boolean startNextStep(UUID execution, int targets, Instant now) throws SQLException {
    List<List<Object>> claimed = query("""
        SELECT expansion_claim FROM jobs_internal.claim_expansions('expander', 100, 30)
         WHERE job_execution_id = ?""", execution);
    if (claimed.isEmpty()) {
      return false;
    }
    return (Boolean) value("SELECT jobs_internal.start_step(?, ?, ?::jsonb, NULL, ?)", execution,
      claimed.get(0).get(0), targetsJson(targets), at(now));
  }

  public static String targetsJson(int targets) {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < targets; i++) {
      json.append(i == 0 ? "" : ",").append("{\"target_type\": \"SqlDatabase\", \"engine\": \"postgresql\", ")
        .append("\"server_name\": \"srv\", \"server_key\": \"srv:5432\", \"database_name\": \"db").append(i)
        .append("\"}");
    }
    return json.append("]").toString();
  }

  /** A claim as the routine returns it: the row, its fencing number and its attempt. */
  public record Claimed(UUID targetExecutionId, int claim, int attempt) {
  }

  public List<Claimed> claim(String owner, int capacity, int max, int leaseSeconds, Instant now) throws SQLException {
    return claim(connection, owner, capacity, max, leaseSeconds, now);
  }

  public static List<Claimed> claim(Connection on, String owner, int capacity, int max, int leaseSeconds, Instant now)
    throws SQLException {
    return query(on, """
        SELECT target_execution_id, claim, current_attempts
          FROM jobs_internal.claim_targets(?, ?, ?, ?, ?, ?)""", owner, capacity, capacity, max, leaseSeconds, at(now))
      .stream()
      .map(row -> new Claimed((UUID) row.get(0), (Integer) row.get(1), (Integer) row.get(2)))
      .toList();
  }

  /** @return the lifecycle recorded, or null when the claim was stale */
  public String finish(Claimed claimed, String outcome, Instant retryAt) throws SQLException {
    List<List<Object>> rows = query("""
        SELECT lifecycle FROM jobs_internal.finish_target(?, ?, ?, 'test message', ?, NULL, ?)""",
      claimed.targetExecutionId(), claimed.claim(), outcome, at(retryAt), at(Instant.now()));
    return rows.isEmpty() ? null : (String) rows.get(0).get(0);
  }

  /** Makes every lease of the execution look expired, as if its agent had stopped renewing them. */
  public void expireLeases(UUID execution) throws SQLException {
    query("""
        UPDATE jobs_internal.target_executions SET lease_until = now() - interval '1 second'
         WHERE job_execution_id = ? AND lifecycle = 'InProgress'""", execution);
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
