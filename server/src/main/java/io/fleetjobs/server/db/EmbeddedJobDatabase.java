package io.fleetjobs.server.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-configuration job database: a real PostgreSQL whose data directory lives under the agent's
 * data directory, so definitions and history survive restarts. Blocking; call it off the event loop.
 */
public final class EmbeddedJobDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedJobDatabase.class);
  public static final String DATABASE_NAME = "fleetjobs";
  private static final String SUPERUSER = "postgres";

  private final EmbeddedPostgres postgres;

  private EmbeddedJobDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** @param port 0 picks a free port */
  public static EmbeddedJobDatabase start(Path dataDirectory, int port) throws IOException, SQLException {
    Files.createDirectories(dataDirectory);
    stopOrphanedPostmaster(dataDirectory);
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
      .setDataDirectory(dataDirectory)
      .setCleanDataDirectory(false)
      .setPort(port)
      .setPGStartupWait(Duration.ofSeconds(60))
      // The agent stops it after its pools close; the library's own hook would race them.
      .setRegisterShutdownHook(false)
      .setServerConfig("listen_addresses", "localhost")
      // The library tunes for throwaway test databases; the job database must survive a crash.
      .setServerConfig("fsync", "on")
      .setServerConfig("synchronous_commit", "on")
      .setServerConfig("full_page_writes", "on")
      .start();
    EmbeddedJobDatabase db = new EmbeddedJobDatabase(postgres);
    db.createDatabaseIfMissing();
    return db;
  }

  public JobDatabase jobDatabase() {
    return JobDatabase.fromUrl("postgresql://" + SUPERUSER + "@localhost:" + postgres.getPort() + "/" + DATABASE_NAME);
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }

  private void createDatabaseIfMissing() throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
         PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, DATABASE_NAME);
      try (ResultSet rows = exists.executeQuery()) {
        if (!rows.next()) {
          try (Statement create = connection.createStatement()) {
            create.execute("CREATE DATABASE " + DATABASE_NAME);
          }
        }
      }
    }
  }

  /**
   * An agent killed with SIGKILL leaves its postmaster running on the data directory. Stop it (SIGTERM is
   * PostgreSQL's smart shutdown, and its clients are gone), so this start can take the directory over.
   */
  private static void stopOrphanedPostmaster(Path dataDirectory) throws IOException {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    Optional<ProcessHandle> postmaster = Files.readAllLines(pidFile).stream()
      .findFirst()
      .map(String::trim)
      .filter(line -> line.matches("\\d+"))
      .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
      .filter(handle -> handle.info().command().map(cmd -> cmd.endsWith("postgres")).orElse(false));
    if (postmaster.isEmpty()) {
      return;
    }
    LOG.warn("Stopping the job database left running by an earlier agent (pid {})", postmaster.get().pid());
    postmaster.get().destroy();
    try {
      postmaster.get().onExit().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("The old job database process " + postmaster.get().pid() + " did not stop", e);
    }
  }
}
