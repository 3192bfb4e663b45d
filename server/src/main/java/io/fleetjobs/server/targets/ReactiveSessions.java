package io.fleetjobs.server.targets;

import io.fleetjobs.common.errors.TargetUnreachable;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the drivers on Vert.x's reactive SQL clients (PostgreSQL, MySQL) do alike: one query on a connection of
 * its own, which closes before the answer is given. Each driver opens the connection its engine's way and names
 * the query; only that differs.
 */
public final class ReactiveSessions {
  private static final int ENUMERATION_TIMEOUT_MS = 30_000;

  private ReactiveSessions() {
  }

  /**
   * The databases {@code sql} lists (one name a row, in its first column), or TargetUnreachable on serverName
   * when the server cannot be reached, refuses the login or does not answer in time.
   */
  public static Future<List<String>> listDatabases(String serverName, Future<? extends SqlConnection> connecting,
                                                   String sql) {
    return connecting
      .compose(connection -> connection.query(sql)
        .execute()
        .map(rows -> {
          List<String> names = new ArrayList<>();
          rows.forEach(row -> names.add(row.getString(0)));
          return names;
        })
        .eventually(connection::close))
      .timeout(ENUMERATION_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .recover(e -> Future.failedFuture(new TargetUnreachable("serverName",
        "Could not list the databases of server '" + serverName + "': " + e.getMessage(), e)));
  }

  /** Succeeds when the login opens a session that answers a query. */
  public static Future<Void> testLogin(Future<? extends SqlConnection> connecting) {
    return connecting
      .compose(connection -> connection.query("SELECT 1")
        .execute()
        .eventually(connection::close))
      .mapEmpty();
  }
}
