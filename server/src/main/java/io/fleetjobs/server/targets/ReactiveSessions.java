package io.fleetjobs.server.targets;

import io.fleetjobs.common.errors.TargetUnreachable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnectOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.spi.ConnectionFactory;
import io.vertx.sqlclient.spi.Driver;
import io.vertx.sqlclient.desc.ColumnDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What the drivers on Vert.x's reactive SQL clients (PostgreSQL, MySQL) do alike: one query on a connection of
 * its own, which closes before the answer is given (each driver opens the connection its engine's way and names
 * the query), and reading a script's first result set, typed by each engine's own DDL rule.
 */
public final class ReactiveSessions {
  private static final int ENUMERATION_TIMEOUT_MS = 30_000;

  private ReactiveSessions() {
  }

  /**
   * The client every session of a driver connects on. {@code PgConnection.connect} and {@code MySQLConnection.connect}
   * make a client per connection that is not closed with it: each one lived on until the garbage collector found it
   * and Vert.x closed it over 30 s (8,838 of them during a run of 10,000 targets with 800 in flight; 81 MiB of heap
   * after a full GC, 50 MiB with one client). A connection still takes its own TLS settings from its options.
   */
  public static <O extends SqlConnectOptions> ConnectionFactory<O> client(Vertx vertx, Driver<O> driver) {
    return driver.createConnectionFactory(vertx, new NetClientOptions());
  }

  /**
   * The connection within {@code timeoutMs}. One that arrives after its attempt gave up is closed, never left open
   * on the target: on a busy server those sessions piled up (396 on 200 databases) until it refused everyone
   * (53300), and on a driver's one client nothing else would ever close them.
   */
  public static <C extends SqlConnection> Future<C> withinTimeout(Future<C> connecting, long timeoutMs) {
    return connecting
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .recover(e -> {
        connecting.onSuccess(SqlConnection::close);
        return Future.failedFuture(e);
      });
  }

  /** Closes a driver's {@link #client}; sessions still open on it end with it. */
  public static Future<Void> close(ConnectionFactory<?> client) {
    Promise<Void> closed = Promise.promise();
    client.close(closed);
    return closed.future();
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

  /**
   * The first result of a statement that has columns, or null when none has, each column typed as the engine's
   * output-table DDL writes it.
   */
  public static ScriptResult firstResultSet(RowSet<Row> rows, Function<ColumnDescriptor, String> ddlType) {
    for (RowSet<Row> set = rows; set != null; set = set.next()) {
      List<ColumnDescriptor> descriptors = set.columnDescriptors();
      if (descriptors != null && !descriptors.isEmpty()) {
        List<List<Object>> values = new ArrayList<>();
        for (Row row : set) {
          List<Object> value = new ArrayList<>(row.size());
          for (int i = 0; i < row.size(); i++) {
            value.add(row.getValue(i));
          }
          values.add(value);
        }
        return new ScriptResult(columns(descriptors, ddlType), values);
      }
    }
    return null;
  }

  /** A result's columns, each typed as the engine's output-table DDL writes it. */
  public static List<ScriptResult.Column> columns(List<ColumnDescriptor> descriptors,
                                                  Function<ColumnDescriptor, String> ddlType) {
    return descriptors.stream().map(d -> new ScriptResult.Column(d.name(), ddlType.apply(d))).toList();
  }
}
