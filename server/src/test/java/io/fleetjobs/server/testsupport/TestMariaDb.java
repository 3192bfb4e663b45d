package io.fleetjobs.server.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real MariaDB server (Debian's mariadb-server, which .ci/run installs) started by a test on a data directory and
 * port of its own, and removed when closed. Without MariaDB installed the test fails, saying what to install: a
 * MySQL fleet that is not tested is not known to work.
 */
public final class TestMariaDb implements AutoCloseable {
  private static final List<Path> SEARCH = List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/usr/local/bin"),
    Path.of("/usr/local/sbin"));
  private final Path dir;
  private final int port;
  private final Process process;

  private TestMariaDb(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  public static TestMariaDb start() {
    return start(null, null);
  }

  /** With TLS: the server's certificate and key, and the authority that signed it (PEM files). */
  public static TestMariaDb start(TestCertificates.Issued certificate, Path ca) {
    Path server = binary("mariadbd");
    Path install = binary("mariadb-install-db");
    try {
      Path dir = Files.createTempDirectory("fleetjobs-mariadb-");
      Path data = dir.resolve("data");
      boolean root = "root".equals(System.getProperty("user.name"));
      List<String> init = new ArrayList<>(List.of(install.toString(), "--no-defaults", "--datadir=" + data,
        "--auth-root-authentication-method=normal", "--skip-test-db"));
      if (root) {
        init.add("--user=root");
      }
      run(init, dir.resolve("install.log"));
      int port = freePort();
      List<String> command = new ArrayList<>(List.of(server.toString(), "--no-defaults", "--datadir=" + data,
        "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"),
        "--pid-file=" + dir.resolve("mysqld.pid"), "--skip-name-resolve", "--skip-log-bin",
        "--innodb-flush-log-at-trx-commit=0", "--innodb-buffer-pool-size=32M", "--performance-schema=OFF",
        "--log-error=" + dir.resolve("error.log")));
      if (root) {
        command.add("--user=root");
      }
      if (certificate != null) {
        command.addAll(List.of("--ssl-cert=" + certificate.certificate(), "--ssl-key=" + certificate.key(),
          "--ssl-ca=" + ca));
      }
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.log").toFile()).start();
      TestMariaDb started = new TestMariaDb(dir, port, process);
      started.awaitReady();
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** host:port as a target group member names it. */
  public String serverName() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Runs SQL as root with the mariadb client; returns what it printed (tab-separated, no headers). */
  public String sql(String statements) {
    try {
      Path log = Files.createTempFile(dir, "sql-", ".out");
      run(List.of(binary("mariadb").toString(), "--no-defaults", "-uroot", "-h127.0.0.1", "-P" + port, "-N", "-B",
        "-e", statements), log);
      return Files.readString(log, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A login with every privilege, from any host, as a target's credential. */
  public void createUser(String user, String password) {
    sql("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'; GRANT ALL ON *.* TO '" + user
      + "'@'%' WITH GRANT OPTION;");
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    IllegalStateException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("mariadbd exited: " + log());
      }
      try {
        sql("SELECT 1");
        return;
      } catch (IllegalStateException notYet) {
        last = notYet;
      }
      sleep(200);
    }
    close();
    throw new IllegalStateException("mariadbd did not accept connections within 60 s: " + log(), last);
  }

  private String log() {
    try {
      Path error = dir.resolve("error.log");
      return Files.exists(error) ? Files.readString(error) : "(no error log)";
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static Path binary(String name) {
    return SEARCH.stream()
      .map(dir -> dir.resolve(name))
      .filter(Files::isExecutable)
      .findFirst()
      .orElseThrow(() -> new IllegalStateException(name + " is not installed: the MySQL/MariaDB tests need a real "
        + "server. Install it with: sudo apt-get install -y mariadb-server"));
  }

  private static void run(List<String> command, Path log) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(command.get(0) + " failed: " + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // A leftover temporary directory is harmless.
    }
  }
}
