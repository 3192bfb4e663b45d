package io.fleetjobs.bench.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * One real PostgreSQL server holding the tenant databases, listening on 127.0.0.1 through 127.0.0.10: the whole
 * 127.0.0.0/8 range is loopback, so to the agent these are ten distinct servers with the same databases, and a
 * fleet of 10,000 targets needs only 1,000 real databases. Its durability does not matter, so fsync is off
 * (which also makes CREATE DATABASE cheap).
 */
public final class TargetServers implements AutoCloseable {
  public static final int ADDRESSES = 10;
  private final EmbeddedPostgres postgres;
  private int databases;

  private TargetServers(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts the server on its data directory under the system's temporary directory, kept between runs: creating
   * (and deleting) a thousand databases takes minutes, and the tenants' contents do not change.
   *
   * @param maxConnections enough for the tier's cap, the listings and the baselines' lanes
   */
  public static TargetServers start(int maxConnections) throws IOException, SQLException {
    StringJoiner addresses = new StringJoiner(",");
    for (int i = 1; i <= ADDRESSES; i++) {
      addresses.add("127.0.0." + i);
    }
    TargetServers servers = new TargetServers(EmbeddedPostgres.builder()
      .setDataDirectory(Path.of(System.getProperty("java.io.tmpdir"), "fleetjobs-bench-targets"))
      .setCleanDataDirectory(false)
      .setServerConfig("listen_addresses", addresses.toString())
      .setServerConfig("max_connections", String.valueOf(maxConnections))
      .setServerConfig("fsync", "off")
      .setServerConfig("synchronous_commit", "off")
      .setServerConfig("full_page_writes", "off")
      .start());
    try (Connection connection = servers.postgres.getPostgresDatabase().getConnection();
         Statement sql = connection.createStatement();
         ResultSet count = sql.executeQuery("SELECT count(*) FROM pg_database WHERE datname LIKE 'tenant\\_%'")) {
      count.next();
      servers.databases = count.getInt(1);
    }
    return servers;
  }

  /** Creates tenant databases until there are {@code count}. */
  public void ensureDatabases(int count) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
         Statement sql = connection.createStatement()) {
      for (; databases < count; databases++) {
        sql.execute("CREATE DATABASE " + database(databases));
      }
    }
  }

  public static String database(int index) {
    return String.format(Locale.ROOT, "tenant_%04d", index);
  }

  public int port() {
    return postgres.getPort();
  }

  /** The server name of address {@code index} (0 to 9), as a target group member names it. */
  public String serverName(int index) {
    return host(index) + ":" + port();
  }

  public static String host(int index) {
    return "127.0.0." + (index + 1);
  }

  /** The first {@code count} databases. */
  public List<String> databases(int count) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      names.add(database(i));
    }
    return names;
  }

  public EmbeddedPostgres postgres() {
    return postgres;
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
