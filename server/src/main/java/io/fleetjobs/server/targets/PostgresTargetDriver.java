package io.fleetjobs.server.targets;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.desc.ColumnDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/** PostgreSQL targets through the non-blocking vertx-pg-client: no thread waits on a target. */
public final class PostgresTargetDriver implements TargetDriver {
  public static final String ENGINE = "postgresql";
  private static final int DEFAULT_PORT = 5432;
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  /** The counterpart of SQL Server's master: where enumeration connects, never a target by itself. */
  private static final String MAINTENANCE_DATABASE = "postgres";

  private final Vertx vertx;

  public PostgresTargetDriver(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String engine() {
    return ENGINE;
  }

  @Override
  public Future<List<String>> listDatabases(String serverName, Login login) {
    return connect(serverName, MAINTENANCE_DATABASE, login)
      .compose(connection -> connection.query("""
          SELECT datname FROM pg_database
           WHERE datallowconn AND NOT datistemplate AND datname <> 'postgres'
           ORDER BY datname""")
        .execute()
        .map(rows -> {
          List<String> names = new ArrayList<>();
          rows.forEach(row -> names.add(row.getString(0)));
          return names;
        })
        .eventually(connection::close));
  }

  @Override
  public RunningScript run(String serverName, String databaseName, Login login, String script) {
    AtomicReference<PgConnection> open = new AtomicReference<>();
    AtomicBoolean cancelled = new AtomicBoolean();
    Future<ScriptResult> result = connect(serverName, databaseName, login)
      .compose(connection -> {
        open.set(connection);
        if (cancelled.get()) {
          return connection.close().compose(closed -> Future.failedFuture("Canceled before the script started."));
        }
        // The simple-query protocol runs several statements as one script, as sqlcmd runs a batch.
        // The result does not wait for the connection to close: the slot is free once the script is done.
        return connection.query(script).execute()
          .map(PostgresTargetDriver::firstResultSet)
          .onComplete(done -> connection.close());
      });
    return new RunningScript() {
      @Override
      public Future<ScriptResult> result() {
        return result;
      }

      @Override
      public Future<Void> cancel() {
        cancelled.set(true);
        PgConnection connection = open.get();
        return connection == null ? Future.succeededFuture() : connection.cancelRequest();
      }
    };
  }

  @Override
  public Future<Void> appendOutput(OutputTable table, Login login, ScriptResult result) {
    if (!result.hasResultSet()) {
      return Future.succeededFuture();
    }
    String qualified = quote(table.schemaName()) + "." + quote(table.tableName());
    return connect(table.serverName(), table.databaseName(), login)
      .compose(connection -> connection.begin()
        // One writer at a time per table, so two targets finishing together do not both create it.
        .compose(tx -> connection.preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1))")
          .execute(Tuple.of(qualified))
          .compose(locked -> existingColumns(connection, table))
          .compose(existing -> existing.isEmpty()
            ? createTable(connection, table, qualified, result)
            : checkColumns(existing, result, qualified))
          .compose(ready -> insertRows(connection, table, qualified, result))
          .compose(inserted -> tx.commit()))
        .eventually(connection::close));
  }

  private static Future<List<String>> existingColumns(PgConnection connection, OutputTable table) {
    return connection.preparedQuery("""
        SELECT column_name || ' ' || udt_name FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position""")
      .execute(Tuple.of(table.schemaName(), table.tableName()))
      .map(rows -> {
        List<String> columns = new ArrayList<>();
        rows.forEach(row -> columns.add(row.getString(0)));
        return columns;
      });
  }

  private static Future<Void> createTable(PgConnection connection, OutputTable table, String qualified,
                                          ScriptResult result) {
    String columns = result.columns().stream()
      .map(column -> quote(column.name()) + " " + ddlType(column.typeName()))
      .collect(Collectors.joining(", "));
    String index = quote("IX_" + table.tableName() + "_Internal_Execution_ID");
    return connection.query("CREATE TABLE " + qualified + " (internal_execution_id uuid NOT NULL, "
        + "target_server_name text NOT NULL, target_database_name text NOT NULL, " + columns + ")")
      .execute()
      .compose(created -> connection.query("CREATE INDEX " + index + " ON " + qualified + " (internal_execution_id)")
        .execute())
      .mapEmpty();
  }

  /** Later results must bring the same columns with the same types. */
  private static Future<Void> checkColumns(List<String> existing, ScriptResult result, String qualified) {
    for (ScriptResult.Column column : result.columns()) {
      String wanted = column.name() + " " + udtName(column.typeName());
      if (!existing.contains(wanted)) {
        return Future.failedFuture("The output table " + qualified + " does not match this result: it has no column "
          + wanted.replace(" ", " of type ") + ". Its columns are " + String.join(", ", existing) + ".");
      }
    }
    return Future.succeededFuture();
  }

  private static Future<Void> insertRows(PgConnection connection, OutputTable table, String qualified,
                                         ScriptResult result) {
    if (result.rows().isEmpty()) {
      return Future.succeededFuture();
    }
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(qualified)
      .append(" (internal_execution_id, target_server_name, target_database_name");
    result.columns().forEach(column -> sql.append(", ").append(quote(column.name())));
    sql.append(") VALUES ($1, $2, $3");
    for (int i = 0; i < result.columns().size(); i++) {
      sql.append(", $").append(i + 4);
    }
    sql.append(')');
    List<Tuple> batch = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      Tuple tuple = Tuple.of(table.jobExecutionId(), table.targetServer(), table.targetDatabase());
      row.forEach(tuple::addValue);
      batch.add(tuple);
    }
    return connection.preparedQuery(sql.toString()).executeBatch(batch).mapEmpty();
  }

  private static ScriptResult firstResultSet(RowSet<Row> rows) {
    for (RowSet<Row> set = rows; set != null; set = set.next()) {
      List<ColumnDescriptor> descriptors = set.columnDescriptors();
      if (descriptors != null && !descriptors.isEmpty()) {
        List<ScriptResult.Column> columns = descriptors.stream()
          .map(d -> new ScriptResult.Column(d.name(), d.typeName()))
          .toList();
        List<List<Object>> values = new ArrayList<>();
        for (Row row : set) {
          List<Object> value = new ArrayList<>(row.size());
          for (int i = 0; i < row.size(); i++) {
            value.add(row.getValue(i));
          }
          values.add(value);
        }
        return new ScriptResult(columns, values);
      }
    }
    return ScriptResult.NONE;
  }

  /** vertx-pg-client names types after its DataType enum: INT4, TIMESTAMPTZ, TEXT_ARRAY, UNKNOWN. */
  static String ddlType(String clientTypeName) {
    String name = clientTypeName.toLowerCase(Locale.ROOT);
    if (name.equals("unknown")) {
      return "text";
    }
    return name.endsWith("_array") ? name.substring(0, name.length() - "_array".length()) + "[]" : name;
  }

  /** The same type as information_schema.columns.udt_name spells it. */
  static String udtName(String clientTypeName) {
    String ddl = ddlType(clientTypeName);
    return ddl.endsWith("[]") ? "_" + ddl.substring(0, ddl.length() - 2) : ddl;
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** A target that does not answer fails its attempt instead of holding a slot. */
  private Future<PgConnection> connect(String serverName, String database, Login login) {
    return PgConnection.connect(vertx, options(serverName, database, login))
      .timeout(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  private static PgConnectOptions options(String serverName, String database, Login login) {
    ServerAddress address = ServerAddress.parse(serverName, DEFAULT_PORT);
    PgConnectOptions options = new PgConnectOptions()
      .setHost(address.host())
      .setPort(address.port())
      .setDatabase(database)
      .setUser(login.username())
      .setPassword(login.password());
    return options;
  }
}
