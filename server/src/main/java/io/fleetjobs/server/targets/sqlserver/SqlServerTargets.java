package io.fleetjobs.server.targets.sqlserver;

import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.SqlServerSettings;
import io.fleetjobs.server.targets.TargetWorkerPool;
import io.fleetjobs.server.targets.jdbc.JdbcAuth;
import io.fleetjobs.server.targets.jdbc.JdbcDialect;
import io.fleetjobs.server.targets.jdbc.JdbcPools;
import io.fleetjobs.server.targets.jdbc.JdbcTargetDriver;
import io.fleetjobs.server.targets.jdbc.TargetAuthenticator;
import io.vertx.core.Vertx;
import java.time.Clock;

/** Builds the sqlserver engine's driver from the agent's configuration. */
public final class SqlServerTargets {
  public static final String ENGINE = "sqlserver";

  private SqlServerTargets() {
  }

  public static JdbcTargetDriver driver(Vertx vertx, SqlServerSettings settings, TargetWorkerPool workers,
                                        Capacity capacity) {
    return driver(vertx, settings, workers, capacity, new SqlServerDialect(settings.connection()));
  }

  /** @param dialect SQL Server's, or a stand-in that lets tests run the engine's JDBC path without one */
  public static JdbcTargetDriver driver(Vertx vertx, SqlServerSettings settings, TargetWorkerPool workers,
                                        Capacity capacity, JdbcDialect dialect) {
    return new JdbcTargetDriver(vertx, new JdbcTargetDriver.Dependencies(ENGINE, dialect,
      new JdbcPools(vertx, workers, capacity, JdbcPools.Settings.DEFAULT), workers, authenticator(settings),
      settings.trustServerCertificate()));
  }

  static TargetAuthenticator authenticator(SqlServerSettings settings) {
    if (!settings.entra().configured()) {
      return TargetAuthenticator.storedCredentials();
    }
    AccessTokens tokens = new AccessTokens(EntraCredentials.of(settings.entra()), Clock.systemUTC());
    return TargetAuthenticator.identity(new JdbcAuth.Token(settings.entra().mode().name(), tokens));
  }
}
