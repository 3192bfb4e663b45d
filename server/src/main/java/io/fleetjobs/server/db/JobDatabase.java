package io.fleetjobs.server.db;

import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Where the job database is: parsed once from {@code postgresql://user:pass@host:port/db}. */
public record JobDatabase(String url, PgConnectOptions connectOptions) {
  private static final String STATEMENT_TIMEOUT = "30s";
  private static final String LOCK_TIMEOUT = "10s";
  private static final int CONNECTION_TIMEOUT_SECONDS = 30;

  public static JobDatabase fromUrl(String url) {
    String normalized = url.startsWith("postgres://") ? "postgresql://" + url.substring("postgres://".length()) : url;
    if (!normalized.startsWith("postgresql://")) {
      throw new IllegalArgumentException("dbUrl must look like postgresql://user:pass@host:port/db");
    }
    return new JobDatabase(normalized, withTls(PgConnectOptions.fromUri(normalized)));
  }

  /**
   * The URL's sslmode, with libpq's meanings: the client needs TLS options for any mode but disable, and does not
   * make them itself. require and below encrypt without checking; verify-ca and verify-full check against the
   * JVM's trust store, verify-full also the host name.
   */
  private static PgConnectOptions withTls(PgConnectOptions options) {
    SslMode mode = options.getSslMode();
    if (mode == null || mode == SslMode.DISABLE || options.getSslOptions() != null) {
      return options;
    }
    boolean verify = mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL;
    return options.setSslOptions(new ClientSSLOptions()
      .setTrustAll(!verify)
      .setHostnameVerificationAlgorithm(mode == SslMode.VERIFY_FULL ? "HTTPS" : ""));
  }

  /** The same database for Flyway's JDBC, with the URL's options (sslmode and the like) carried over. */
  public String jdbcUrl() {
    String host = connectOptions.getHost().contains(":") ? "[" + connectOptions.getHost() + "]" : connectOptions.getHost();
    int query = url.indexOf('?');
    return "jdbc:postgresql://" + host + ":" + connectOptions.getPort() + "/" + connectOptions.getDatabase()
      + (query < 0 ? "" : url.substring(query));
  }

  public String user() {
    return connectOptions.getUser();
  }

  public String password() {
    return connectOptions.getPassword();
  }

  /** Secrets stay out of logs. */
  @Override
  public String toString() {
    return displayUrl();
  }

  /** The address without the password, for logs and banners. */
  public String displayUrl() {
    return "postgresql://" + user() + "@" + connectOptions.getHost() + ":" + connectOptions.getPort() + "/"
      + connectOptions.getDatabase();
  }

  /**
   * A pool whose every statement and lock wait is bounded, so a stuck transaction elsewhere turns into a
   * failed request instead of a request that never answers.
   */
  /** @param name names the pool in the metrics */
  public Pool pool(Vertx vertx, String name, int maxSize) {
    return pool(vertx, name, maxSize, options());
  }

  /**
   * The engine's pool: claims, leases and results. Its commits do not wait for the WAL flush
   * (synchronous_commit off), which frees a tier slot a flush sooner. Nothing is lost that way: a commit
   * PostgreSQL has not yet flushed survives any crash of the agent, and after a crash of the database
   * itself the few results of its last moments read as still running, so their leases expire and those
   * targets run again, like any interrupted attempt. Definitions, starts and cancels use {@link #pool}.
   */
  public Pool enginePool(Vertx vertx, int maxSize) {
    return pool(vertx, "fleetjobs-engine", maxSize, options().addProperty("synchronous_commit", "off"));
  }

  private PgConnectOptions options() {
    return new PgConnectOptions(connectOptions)
      .setCachePreparedStatements(true)
      .addProperty("statement_timeout", STATEMENT_TIMEOUT)
      .addProperty("lock_timeout", LOCK_TIMEOUT)
      .addProperty("application_name", "fleetjobs");
  }

  private static Pool pool(Vertx vertx, String name, int maxSize, PgConnectOptions options) {
    return PgBuilder.pool()
      .with(new PoolOptions().setName(name).setMaxSize(maxSize).setConnectionTimeout(CONNECTION_TIMEOUT_SECONDS))
      .connectingTo(options)
      .using(vertx)
      .build();
  }
}
