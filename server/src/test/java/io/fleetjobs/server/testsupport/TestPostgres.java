package io.fleetjobs.server.testsupport;

import io.fleetjobs.server.db.JobDatabase;
import io.fleetjobs.server.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** One real PostgreSQL server for the whole test JVM; each test class takes databases of its own on it. */
public final class TestPostgres {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres server;
  private static String migratedTemplate;

  private TestPostgres() {
  }

  /**
   * Started from the JVM's initialized cluster, in memory where there is room, and without fsync: every test class
   * creates job databases here, and each CREATE DATABASE waits for a checkpoint that would otherwise flush to a
   * disk shared with other builds. Durability across a crash of the machine is no test's concern; a test that
   * restarts its job database server has a {@link JobDatabaseServer} of its own.
   */
  public static synchronized EmbeddedPostgres server() {
    if (server == null) {
      Path directory = ScratchDirectory.create("fleetjobs-jobs-");
      try {
        InitializedCluster.copyTo(directory.resolve("data"));
        EmbeddedPostgres started = EmbeddedPostgres.builder()
          .setDataDirectory(directory.resolve("data"))
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          .setServerConfig("fsync", "off")
          .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            started.close();
          } catch (IOException e) {
            System.err.println("Could not stop the tests' job database server: " + e);
          } finally {
            ScratchDirectory.delete(directory);
          }
        }));
        server = started;
      } catch (IOException e) {
        ScratchDirectory.delete(directory);
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /**
   * A fresh copy of a job database migrated once per test JVM: each test class gets its own in milliseconds, and
   * its agent finds the schema current instead of spending a second of both cores on the whole history. Migrating
   * from empty stays tested by every agent on its embedded default and by the template's own migration.
   */
  public static String newJobDatabase(String purpose) {
    return newDatabase(purpose, migratedTemplate());
  }

  private static synchronized String migratedTemplate() {
    if (migratedTemplate == null) {
      String database = newDatabase("migrated_template");
      Migrations.apply(JobDatabase.fromUrl(url(database)));
      migratedTemplate = database;
    }
    return migratedTemplate;
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
