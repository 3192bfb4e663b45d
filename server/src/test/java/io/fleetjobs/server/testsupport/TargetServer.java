package io.fleetjobs.server.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A real PostgreSQL server of target databases, apart from the job databases, so enumeration sees only these. A
 * test class gets one for all its tests from its {@link AgentFixture#targetServer()}; a test that needs one of its
 * own calls {@link #start()} and closes it.
 */
public final class TargetServer implements AutoCloseable {
  private EmbeddedPostgres postgres;

  private TargetServer() {
  }

  public static TargetServer start() {
    TargetServer server = unstarted();
    server.open();
    return server;
  }

  static TargetServer unstarted() {
    return new TargetServer();
  }

  void open() {
    try {
      postgres = EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** host:port as a target group member names it. */
  public String serverName() {
    return "localhost:" + postgres.getPort();
  }

  public int port() {
    return postgres.getPort();
  }

  public void createDatabases(String... names) {
    execute("postgres", java.util.Arrays.stream(names).map(name -> "CREATE DATABASE " + name).toArray(String[]::new));
  }

  public void execute(String database, String... statements) {
    try (Connection connection = connect(database); Statement sql = connection.createStatement()) {
      for (String statement : statements) {
        sql.execute(statement);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first column of every row. */
  public List<String> column(String database, String query) {
    try (Connection connection = connect(database); Statement sql = connection.createStatement();
         ResultSet rows = sql.executeQuery(query)) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public Connection connect(String database) throws SQLException {
    return postgres.getDatabase("postgres", database).getConnection();
  }

  @Override
  public void close() {
    if (postgres == null) {
      return;
    }
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
