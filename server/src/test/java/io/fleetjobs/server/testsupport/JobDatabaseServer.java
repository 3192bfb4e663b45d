package io.fleetjobs.server.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A job database server of its own that a test can restart, as an operator restarts PostgreSQL: the same data
 * directory and port, a fast shutdown and a start. Agents must reconnect on their own.
 */
public final class JobDatabaseServer implements AutoCloseable {
  private final Path dataDirectory;
  private final int port;
  private EmbeddedPostgres postgres;

  private JobDatabaseServer(Path dataDirectory, EmbeddedPostgres postgres) {
    this.dataDirectory = dataDirectory;
    this.port = postgres.getPort();
    this.postgres = postgres;
  }

  /** The first start picks a free port, as every embedded server of the suite does; a restart keeps it. */
  public static JobDatabaseServer start(Path dataDirectory) throws IOException {
    InitializedCluster.copyTo(dataDirectory);
    return new JobDatabaseServer(dataDirectory, builder(dataDirectory).start());
  }

  private static EmbeddedPostgres.Builder builder(Path dataDirectory) {
    return EmbeddedPostgres.builder()
      .setDataDirectory(dataDirectory)
      .setCleanDataDirectory(false)
      .setServerConfig("max_connections", "300");
  }

  /** Creates a database for the agents and returns its URL, as FLEETJOBS_DB_URL takes it. */
  public String newDatabase(String name) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
         Statement sql = connection.createStatement()) {
      sql.execute("CREATE DATABASE " + name);
    }
    return "postgresql://postgres@localhost:" + port + "/" + name;
  }

  public Connection connect(String database) throws SQLException {
    return postgres.getDatabase("postgres", database).getConnection();
  }

  /** Stops the server (fast shutdown: connections are cut) and starts it again on the same port and data. */
  public void restart(Runnable whileDown) throws IOException {
    postgres.close();
    whileDown.run();
    postgres = builder(dataDirectory).setPort(port).start();
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
