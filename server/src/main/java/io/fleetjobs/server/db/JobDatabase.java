package io.fleetjobs.server.db;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Where the job database is: parsed once from {@code postgresql://user:pass@host:port/db}. */
public record JobDatabase(String url, PgConnectOptions connectOptions) {

  public static JobDatabase fromUrl(String url) {
    String normalized = url.startsWith("postgres://") ? "postgresql://" + url.substring("postgres://".length()) : url;
    if (!normalized.startsWith("postgresql://")) {
      throw new IllegalArgumentException("dbUrl must look like postgresql://user:pass@host:port/db");
    }
    return new JobDatabase(normalized, PgConnectOptions.fromUri(normalized));
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + connectOptions.getHost() + ":" + connectOptions.getPort() + "/"
      + connectOptions.getDatabase();
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

  public Pool pool(Vertx vertx, int maxSize) {
    return PgBuilder.pool()
      .with(new PoolOptions().setMaxSize(maxSize))
      .connectingTo(new PgConnectOptions(connectOptions).setCachePreparedStatements(true))
      .using(vertx)
      .build();
  }
}
