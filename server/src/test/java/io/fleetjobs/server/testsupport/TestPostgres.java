package io.fleetjobs.server.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** One real PostgreSQL server for the whole test JVM; each test class takes databases of its own on it. */
public final class TestPostgres {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres server;

  private TestPostgres() {
  }

  public static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        server = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /** Creates an empty database and returns its name. */
  public static String newDatabase(String purpose) {
    return newDatabase(purpose, "template1");
  }

  /** Creates a database as a copy of {@code template} (which nobody may be connected to) and returns its name. */
  public static String newDatabase(String purpose, String template) {
    String name = purpose.toLowerCase().replaceAll("[^a-z0-9]", "_") + "_" + COUNTER.incrementAndGet()
      + "_" + ProcessHandle.current().pid();
    try (Connection connection = server().getPostgresDatabase().getConnection();
         Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name + " TEMPLATE " + template);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return name;
  }

  /** host:port as a target group member names it, for target databases on this same server. */
  public static String serverName() {
    return "localhost:" + server().getPort();
  }

  public static void execute(String database, String sql) {
    try (Connection connection = connect(database, "postgres"); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String url(String database) {
    return "postgresql://postgres@localhost:" + server().getPort() + "/" + database;
  }

  public static Connection connect(String database, String user) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://localhost:" + server().getPort() + "/" + database, user, "");
  }
}
