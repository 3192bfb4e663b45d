package io.fleetjobs.bench.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The real PostgreSQL server that holds a fresh job database for every agent run, committing durably as the
 * agent's own embedded default does, with pg_stat_statements loaded so each run's job-database time can be read
 * per routine.
 */
public final class JobDatabases implements AutoCloseable {
  private final EmbeddedPostgres postgres;

  private JobDatabases(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  public static JobDatabases start() throws IOException {
    return new JobDatabases(EmbeddedPostgres.builder()
      .setServerConfig("synchronous_commit", "on")
      .setServerConfig("fsync", "on")
      .setServerConfig("shared_preload_libraries", "pg_stat_statements")
      .setServerConfig("pg_stat_statements.track", "top")
      .setServerConfig("max_connections", "200")
      .start());
  }

  /** A new, empty job database with pg_stat_statements; the agent migrates it when it starts. */
  public String create() throws SQLException {
    String name = "bench_job_" + System.nanoTime();
    execute("postgres", "CREATE DATABASE " + name);
    execute(name, "CREATE EXTENSION pg_stat_statements");
    return name;
  }

  public String url(String database) {
    return "postgresql://postgres@localhost:" + postgres.getPort() + "/" + database;
  }

  public int port() {
    return postgres.getPort();
  }

  public void execute(String database, String statement) throws SQLException {
    try (Connection connection = postgres.getDatabase("postgres", database).getConnection();
         Statement sql = connection.createStatement()) {
      sql.execute(statement);
    }
  }

  /** The rows of a query, each column as text. */
  public List<List<String>> rows(String database, String query, Object... parameters) throws SQLException {
    try (Connection connection = postgres.getDatabase("postgres", database).getConnection();
         PreparedStatement sql = connection.prepareStatement(query)) {
      for (int i = 0; i < parameters.length; i++) {
        sql.setObject(i + 1, parameters[i]);
      }
      try (ResultSet result = sql.executeQuery()) {
        List<List<String>> rows = new ArrayList<>();
        int columns = result.getMetaData().getColumnCount();
        while (result.next()) {
          List<String> row = new ArrayList<>();
          for (int c = 1; c <= columns; c++) {
            row.add(result.getString(c));
          }
          rows.add(row);
        }
        return rows;
      }
    }
  }

  public double number(String database, String query, Object... parameters) throws SQLException {
    return Double.parseDouble(rows(database, query, parameters).get(0).get(0));
  }

  /** Starts counting a run's job-database work: statement statistics are reset, the WAL position taken. */
  public JobDatabaseWork.Mark mark(String database) throws Exception {
    return JobDatabaseWork.mark(this, database);
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
