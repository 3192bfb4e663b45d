package io.fleetjobs.server.db;

import io.fleetjobs.server.security.SecretFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-configuration job database: a real PostgreSQL whose data directory lives under the agent's
 * data directory, so definitions and history survive restarts. It listens on localhost only and asks
 * for a password that the agent generated into an owner-only file. Blocking; call it off the event loop.
 */
public final class EmbeddedJobDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedJobDatabase.class);
  public static final String DATABASE_NAME = "fleetjobs";
  private static final String SUPERUSER = "postgres";
  /** The library's lock file: held by whichever process runs PostgreSQL on the directory. */
  private static final String LIBRARY_LOCK_FILE = "epg-lock";

  private final EmbeddedPostgres postgres;
  private final String password;

  private EmbeddedJobDatabase(EmbeddedPostgres postgres, String password) {
    this.postgres = postgres;
    this.password = password;
  }

  /**
   * @param dataDirectory PostgreSQL's own directory
   * @param passwordFile where the superuser password is kept (created on first start)
   * @param portFile where the port it listens on is kept, so that the URLs it was reached by (psql, a
   *   jobs_reader login, another agent's FLEETJOBS_DB_URL) still work after a restart
   * @param port the port to listen on, and keep; 0 for the kept one, or any free one on the first start
   */
  public static EmbeddedJobDatabase start(Path dataDirectory, Path passwordFile, Path portFile, int port)
    throws IOException, SQLException {
    Files.createDirectories(dataDirectory);
    stopOrphanedPostmaster(dataDirectory);
    String password = SecretFiles.readOrCreate(passwordFile, EmbeddedJobDatabase::newPassword);
    int kept = keptPort(portFile);
    int listenOn = port != 0 ? port : kept;
    // PostgreSQL itself refuses to start when its port is taken, rather than move: moving would break every
    // URL given out without a word. The check names the port and what to do, where PostgreSQL's log would not.
    if (listenOn != 0 && !isFree(listenOn)) {
      throw new IllegalStateException(port != 0
        ? "Port " + port + " (embeddedDbPort, FLEETJOBS_EMBEDDED_DB_PORT) is in use by another program; "
          + "choose a free port for the job database."
        : "The job database's port " + kept + ", kept in " + portFile + " since its first start, is in use by "
          + "another program. Stop that program, or set FLEETJOBS_EMBEDDED_DB_PORT to a free port (it is kept "
          + "from then on), or delete " + portFile.getFileName() + " to start on any free port.");
    }
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
      .setDataDirectory(dataDirectory)
      .setCleanDataDirectory(false)
      .setPort(listenOn)
      .setPGStartupWait(Duration.ofSeconds(60))
      // The agent stops it after its pools close; the library's own hook would race them.
      .setRegisterShutdownHook(false)
      .setServerConfig("listen_addresses", "localhost")
      // The library tunes for throwaway test databases; the job database must survive a crash.
      .setServerConfig("fsync", "on")
      .setServerConfig("synchronous_commit", "on")
      .setServerConfig("full_page_writes", "on")
      .setConnectConfig("password", password)
      .start();
    EmbeddedJobDatabase db = new EmbeddedJobDatabase(postgres, password);
    try {
      if (postgres.getPort() != kept) {
        keepPort(portFile, postgres.getPort());
      }
      db.requirePassword(dataDirectory);
      db.createDatabaseIfMissing();
    } catch (IOException | SQLException | RuntimeException e) {
      db.close();
      throw e;
    }
    return db;
  }

  public JobDatabase jobDatabase() {
    return JobDatabase.fromUrl("postgresql://" + SUPERUSER + ":" + URLEncoder.encode(password, StandardCharsets.UTF_8)
      + "@localhost:" + postgres.getPort() + "/" + DATABASE_NAME);
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }

  /**
   * The library initializes with trust authentication, which would let any local user in as superuser.
   * On first start the superuser gets the generated password and every pg_hba rule asks for it.
   */
  private void requirePassword(Path dataDirectory) throws IOException, SQLException {
    Path hba = dataDirectory.resolve("pg_hba.conf");
    List<String> rules = Files.readAllLines(hba);
    if (rules.stream().noneMatch(line -> !line.startsWith("#") && line.matches(".*\\btrust\\s*$"))) {
      return;
    }
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
         Statement sql = connection.createStatement()) {
      sql.execute("SET password_encryption = 'scram-sha-256'");
      sql.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + password + "'");
      Files.write(hba, rules.stream()
        .map(line -> line.startsWith("#") ? line : line.replaceAll("\\btrust\\s*$", "scram-sha-256"))
        .toList());
      sql.execute("SELECT pg_reload_conf()");
    }
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

  /** @return the port kept in {@code portFile}, or 0 before the first start */
  private static int keptPort(Path portFile) throws IOException {
    if (!Files.exists(portFile)) {
      return 0;
    }
    String text = Files.readString(portFile).trim();
    if (!text.matches("\\d{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
      throw new IllegalStateException(portFile + " should hold the job database's port, but holds '" + text
        + "'. Write the port it listened on into it, or delete it to start on any free port.");
    }
    return Integer.parseInt(text);
  }

  /** Written whole or not at all: a half-written port would stop the next start. */
  private static void keepPort(Path portFile, int port) throws IOException {
    Path written = portFile.resolveSibling(portFile.getFileName() + ".new");
    Files.writeString(written, port + "\n");
    Files.move(written, portFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Whether PostgreSQL could listen on the port: on the loopback address, reusing it as PostgreSQL does. */
  private static boolean isFree(int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Letters and digits only, so it needs no quoting in SQL or URLs. */
  private static String newPassword() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).replace('-', 'x').replace('_', 'y');
  }

  /**
   * An agent killed with SIGKILL leaves its postmaster running on the data directory. Stop it (SIGTERM is
   * PostgreSQL's smart shutdown, and its clients are gone), so this start can take the directory over.
   * A live agent still holds the library's lock on the directory; its database is left alone.
   */
  private static void stopOrphanedPostmaster(Path dataDirectory) throws IOException {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    requireNoLiveAgent(dataDirectory);
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

  private static void requireNoLiveAgent(Path dataDirectory) throws IOException {
    Path lockFile = dataDirectory.resolve(LIBRARY_LOCK_FILE);
    if (!Files.exists(lockFile)) {
      return;
    }
    try (RandomAccessFile file = new RandomAccessFile(lockFile.toFile(), "rw");
         FileChannel channel = file.getChannel();
         FileLock lock = channel.tryLock()) {
      if (lock == null) {
        throw new IllegalStateException("Another agent is running on " + dataDirectory
          + "; give this one its own FLEETJOBS_DATA_DIR, or share a job database through FLEETJOBS_DB_URL.");
      }
    } catch (OverlappingFileLockException e) {
      throw new IllegalStateException("This process already runs an agent on " + dataDirectory);
    }
  }
}
