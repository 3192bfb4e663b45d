package io.fleetjobs.server.targets.jdbc;

import java.sql.SQLException;
import java.util.Properties;
import javax.sql.PooledConnection;

/**
 * Where a JDBC connection goes and with what properties, secrets included: never logged. {@code opener} makes
 * the physical connection as a {@link PooledConnection}, whose every {@code getConnection()} is one lease: SQL
 * Server's driver flags the session for reset (sp_reset_connection) on each one.
 */
public record JdbcEndpoint(String url, Properties properties, Opener opener) {

  /** Opens one physical connection. Blocking. */
  @FunctionalInterface
  public interface Opener {
    PooledConnection open() throws SQLException;
  }

  @Override
  public String toString() {
    return "JdbcEndpoint[" + url + "]";
  }
}
