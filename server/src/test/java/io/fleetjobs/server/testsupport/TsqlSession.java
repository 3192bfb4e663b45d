package io.fleetjobs.server.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A session on a job database that calls the jobs.sp_* procedures the way a translated T-SQL script does. */
public final class TsqlSession implements AutoCloseable {
  private final Connection connection;

  private TsqlSession(Connection connection) {
    this.connection = connection;
  }

  public static TsqlSession on(Connection connection) {
    return new TsqlSession(connection);
  }

  /**
   * Makes a login in {@code role} (jobs_admin, jobs_operator or jobs_reader), as the README tells a DBA to, and
   * opens a session as that login. Roles belong to the whole server, so the name carries the test JVM's pid.
   */
  public static TsqlSession login(String database, String name, String role) throws SQLException {
    return new TsqlSession(TestPostgres.connect(database, createLogin(database, name, role)));
  }

  /** Makes the login and returns its name; see {@link #login}. */
  public static String createLogin(String database, String name, String role) throws SQLException {
    String login = name + "_" + ProcessHandle.current().pid();
    try (Connection owner = TestPostgres.connect(database, "postgres"); Statement sql = owner.createStatement()) {
      sql.execute("DROP ROLE IF EXISTS " + login);
      sql.execute("CREATE ROLE " + login + " LOGIN PASSWORD 'unused-on-a-trusting-test-server' IN ROLE " + role);
    }
    return login;
  }

  /** Runs a statement, a CALL included, and returns its first row (a CALL's OUTPUT parameters), or an empty map. */
  public Map<String, Object> call(String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      Map<String, Object> row = new LinkedHashMap<>();
      if (statement.execute(sql)) {
        try (ResultSet result = statement.getResultSet()) {
          ResultSetMetaData meta = result.getMetaData();
          if (result.next()) {
            for (int c = 1; c <= meta.getColumnCount(); c++) {
              row.put(meta.getColumnName(c), result.getObject(c));
            }
          }
        }
      }
      return row;
    }
  }

  /** Every row of a query, each as its columns' values in text ('' for NULL). */
  public List<List<String>> rows(String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
      int columns = result.getMetaData().getColumnCount();
      List<List<String>> rows = new ArrayList<>();
      while (result.next()) {
        List<String> row = new ArrayList<>();
        for (int c = 1; c <= columns; c++) {
          String value = result.getString(c);
          row.add(value == null ? "" : value);
        }
        rows.add(row);
      }
      return rows;
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
