package io.fleetjobs.server.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server of target databases, apart from the job databases, so enumeration sees only these. A
 * test class gets one for all its tests from its {@link AgentFixture#targetServer()}; a test that needs one of its
 * own calls {@link #start()} and closes it.
 */
public final class TargetServer implements AutoCloseable {
  private Path directory;
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
      // Target databases are scratch: without fsync, creating a hundred of them takes a second, not half a minute.
      directory = ScratchDirectory.create("fleetjobs-targets-");
      InitializedCluster.copyTo(directory.resolve("data"));
      postgres = EmbeddedPostgres.builder()
        .setDataDirectory(directory.resolve("data"))
        .setCleanDataDirectory(false)
        .setServerConfig("fsync", "off")
        .start();
    } catch (IOException e) {
      ScratchDirectory.delete(directory);
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

  /**
   * Creates the databases eight at a time: on PostgreSQL 14 each CREATE DATABASE waits for a checkpoint, and
   * concurrent ones share it, so a fleet of a hundred takes seconds rather than half a minute.
   */
  public void createDatabases(String... names) {
    createEach(List.of(names), name -> execute("postgres", "CREATE DATABASE " + name));
  }

  /** Runs {@code create} for each name, eight at a time, and fails with the first failure. */
  public static void createEach(List<String> names, Consumer<String> create) {
    ExecutorService creators = Executors.newFixedThreadPool(Math.min(8, Math.max(1, names.size())));
    try {
      List<Future<?>> created = new ArrayList<>();
      for (String name : names) {
        created.add(creators.submit(() -> create.accept(name)));
      }
      for (Future<?> done : created) {
        done.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      creators.shutdownNow();
    }
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

  /**
   * Makes {@code role} a login that must give its password over TCP (scram-sha-256), as on a real server; the
   * embedded server trusts everyone else, as before. Returns the role's password.
   */
  public String requirePassword(String role, String password) {
    execute("postgres", "CREATE ROLE " + role + " LOGIN SUPERUSER PASSWORD '" + password + "'");
    try {
      Path hba = Path.of(column("postgres", "SHOW hba_file").get(0));
      String rules = "host all " + role + " 127.0.0.1/32 scram-sha-256\nhost all " + role + " ::1/128 scram-sha-256\n";
      Files.writeString(hba, rules + Files.readString(hba));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    column("postgres", "SELECT pg_reload_conf()");
    return password;
  }

  /**
   * Turns TLS on with the given server certificate; {@code clientCa} verifies client certificates (cert
   * authentication). Waits until new connections see it, since a reload is asynchronous.
   */
  public void enableTls(Path certificate, Path key, Path clientCa) {
    execute("postgres",
      "ALTER SYSTEM SET ssl_cert_file = '" + certificate + "'",
      "ALTER SYSTEM SET ssl_key_file = '" + key + "'",
      "ALTER SYSTEM SET ssl_ca_file = '" + clientCa + "'",
      "ALTER SYSTEM SET ssl = on");
    reloadTls("on");
  }

  /** Turns TLS off again, as an operator's reload would, and waits until new connections see it. */
  public void disableTls() {
    execute("postgres", "ALTER SYSTEM SET ssl = off");
    reloadTls("off");
  }

  private void reloadTls(String wanted) {
    column("postgres", "SELECT pg_reload_conf()");
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!column("postgres", "SELECT setting FROM pg_settings WHERE name = 'ssl'").equals(List.of(wanted))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The server did not turn TLS " + wanted + "; see its log for why.");
      }
      Executions.sleep(50);
    }
  }

  /** Puts pg_hba.conf lines before the embedded server's own (first match wins) and reloads. */
  public void prependHba(String... lines) {
    try {
      Path hba = Path.of(column("postgres", "SHOW hba_file").get(0));
      Files.writeString(hba, String.join("\n", lines) + "\n" + Files.readString(hba));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    column("postgres", "SELECT pg_reload_conf()");
  }

  /**
   * Waits up to {@code patience} for every session running a statement that contains {@code marker} to be done
   * with it, and returns the pids of those still running it: none, when a cancel reached the server.
   */
  public List<String> stillRunning(String marker, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    List<String> running;
    do {
      running = column("postgres", "SELECT pid FROM pg_stat_activity WHERE query LIKE '%" + marker
        + "%' AND query NOT LIKE '%pg_stat_activity%'");
      if (running.isEmpty()) {
        return running;
      }
      Executions.sleep(100);
    } while (System.nanoTime() < deadline);
    return running;
  }

  /**
   * How many processes the server has now, read from /proc as the postmaster's children: sessions, background
   * workers, and connections that have not signed in yet, which pg_stat_activity does not show. Counted from a
   * session of its own, which is left out, and without autovacuum workers, which come and go on their own and
   * may run for seconds.
   */
  public int serverProcesses() {
    return serverProcessTitles().size();
  }

  /**
   * The titles of the server's processes once they are {@code most} or fewer, waiting up to 10 s: a closed session's
   * process ends a moment after its connection, while one left waiting for a sign-in stays for the server's
   * authentication_timeout (a minute). An assertion on the count names what is left.
   */
  public List<String> settledProcessTitles(int most) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (serverProcesses() > most && System.nanoTime() < deadline) {
      Executions.sleep(50);
    }
    return serverProcessTitles();
  }

  /** The title (command line) of each process {@link #serverProcesses()} counts; a failure message names them. */
  public List<String> serverProcessTitles() {
    try (Connection connection = connect("postgres"); Statement sql = connection.createStatement();
         ResultSet pid = sql.executeQuery("SELECT pg_backend_pid()");
         Stream<Path> processes = Files.list(Path.of("/proc"))) {
      pid.next();
      Path own = Path.of("/proc", pid.getString(1));
      String postmaster = parentOf(own);
      return processes.filter(process -> process.getFileName().toString().chars().allMatch(Character::isDigit))
        .filter(process -> !process.equals(own) && postmaster.equals(parentOf(process)))
        .map(TargetServer::titleOf)
        .filter(title -> !title.isEmpty() && !title.startsWith("postgres: autovacuum worker"))
        .toList();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The process's title, from /proc/{pid}/cmdline, as ps shows it; "" once gone. */
  private static String titleOf(Path process) {
    try {
      return Files.readString(process.resolve("cmdline")).replace('\0', ' ').trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** The parent's pid, from /proc/{pid}/stat (after the command name, which may hold spaces); "" once gone. */
  private static String parentOf(Path process) {
    try {
      String stat = Files.readString(process.resolve("stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1];
    } catch (IOException e) {
      return "";
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
    } finally {
      ScratchDirectory.delete(directory);
    }
  }
}
