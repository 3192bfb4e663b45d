package io.fleetjobs.server.browser;

import io.fleetjobs.server.testsupport.InitializedCluster;
import io.fleetjobs.server.testsupport.ScratchDirectory;
import io.fleetjobs.server.testsupport.TargetServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A fleet of servers × databases for the tests that need thousands of real targets: one real PostgreSQL that
 * listens on several loopback addresses (127.0.0.1, 127.0.0.2, …). The agent keys servers by resolved address and
 * port, so each address is a server of its own, and a SqlServer member per address lists the same databases:
 * 20 addresses × 100 databases are 2,000 targets, each run on a real connection to a real database, for the disk
 * and the minutes of 100 databases rather than 2,000. A script tells its target apart with inet_server_addr().
 */
final class LoopbackFleet implements AutoCloseable {
  private final Path directory;
  private final EmbeddedPostgres postgres;
  private final int servers;

  private LoopbackFleet(Path directory, EmbeddedPostgres postgres, int servers) {
    this.directory = directory;
    this.postgres = postgres;
    this.servers = servers;
  }

  static LoopbackFleet start(int servers) {
    String addresses = IntStream.rangeClosed(1, servers).mapToObj(LoopbackFleet::address)
      .collect(Collectors.joining(","));
    Path directory = ScratchDirectory.create("fleetjobs-loopback-");
    try {
      InitializedCluster.copyTo(directory.resolve("data"));
      // Scratch databases: without fsync, a hundred of them take seconds.
      return new LoopbackFleet(directory, EmbeddedPostgres.builder()
        .setDataDirectory(directory.resolve("data"))
        .setCleanDataDirectory(false)
        .setServerConfig("fsync", "off")
        .setServerConfig("listen_addresses", addresses)
        .start(), servers);
    } catch (IOException e) {
      ScratchDirectory.delete(directory);
      throw new UncheckedIOException(e);
    }
  }

  static String address(int server) {
    return "127.0.0." + server;
  }

  /** address:port of server 1 … servers, as a member names it. */
  String serverName(int server) {
    return address(server) + ":" + postgres.getPort();
  }

  int servers() {
    return servers;
  }

  /** Eight at a time: concurrent CREATE DATABASEs share PostgreSQL 14's checkpoint. */
  void createDatabases(List<String> names) {
    TargetServer.createEach(names, name -> execute("postgres", "CREATE DATABASE " + name));
  }


  void execute(String database, String sql) {
    try (Connection connection = postgres.getDatabase("postgres", database).getConnection();
         Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      ScratchDirectory.delete(directory);
    }
  }
}
