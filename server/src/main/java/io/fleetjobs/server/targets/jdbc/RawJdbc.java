package io.fleetjobs.server.targets.jdbc;

import io.vertx.jdbcclient.impl.ConnectionImpl;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.internal.Connection;
import io.vertx.sqlclient.internal.SqlConnectionInternal;

/**
 * The java.sql.Connection under a JDBCPool connection. Scripts need their Statement (to cancel it and read
 * its warnings, where PRINT and NOTICE messages arrive) and every result of a batch in order, which the
 * Vert.x query API does not give. vertx-jdbc-client's own JDBCUtils.unwrap does exactly this, but is not
 * public in 5.0.
 */
final class RawJdbc {
  private RawJdbc() {
  }

  static java.sql.Connection of(SqlConnection connection) {
    Connection inner = ((SqlConnectionInternal) connection).unwrap();
    if (!(inner instanceof ConnectionImpl)) {
      inner = inner.unwrap();
    }
    return ((ConnectionImpl) inner).getJDBCConnection();
  }
}
