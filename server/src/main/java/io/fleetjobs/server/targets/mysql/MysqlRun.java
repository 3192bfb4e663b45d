package io.fleetjobs.server.targets.mysql;

import io.fleetjobs.server.targets.DryRunRecord;
import io.fleetjobs.server.targets.DryRunRefused;
import io.fleetjobs.server.targets.FirstRows;
import io.fleetjobs.server.targets.ReactiveSessions;
import io.fleetjobs.server.targets.Messages;
import io.fleetjobs.server.targets.ScriptFailed;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.ScriptResult;
import io.vertx.core.Future;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.desc.ColumnDescriptor;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collector;
import java.util.stream.Collectors;

/**
 * One script on one connection, as the mysql client runs a file ({@code mysql --show-warnings < script.sql}):
 * statement after statement, each committed on its own (autocommit) unless the script opens a transaction
 * itself, stopping at the first error; the warnings and notes each statement leaves (SHOW WARNINGS) become the
 * run's messages. With a single transaction, START TRANSACTION comes first and COMMIT last; statements that
 * commit implicitly (DDL) end it early, as they do in MySQL. The first result set of any statement is kept when it
 * is wanted. A dry run runs the statements between START TRANSACTION and ROLLBACK, counting each one's rows, after
 * refusing the script if any statement would commit ({@link MysqlDryRun}). Everything happens on the connection's
 * event loop.
 */
final class MysqlRun {
  private static final Collector<Row, ?, Long> DISCARD = Collectors.counting();
  private static final long ROLLBACK_TIMEOUT_MS = 5_000;
  /** ER_UNKNOWN_SYSTEM_VARIABLE: MySQL has no @@in_transaction, MariaDB has. */
  private static final int UNKNOWN_SYSTEM_VARIABLE = 1193;

  private final SqlConnection connection;
  private final MysqlScript script;
  private final ScriptOptions options;
  private final BooleanSupplier cancelled;
  private final Messages messages = new Messages();
  private final DryRunRecord seen = new DryRunRecord();
  private ScriptResult first;
  /** Whether the server tells if a transaction is open (@@in_transaction): a dry run checks it after each statement. */
  private boolean guarded;

  /** @param cancelled true once no further statement may start */
  MysqlRun(SqlConnection connection, MysqlScript script, ScriptOptions options, BooleanSupplier cancelled) {
    this.connection = connection;
    this.script = script;
    this.options = options;
    this.cancelled = cancelled;
  }

  Future<ScriptResult> execute() {
    if (options.dryRun()) {
      return dryRun();
    }
    return (options.singleTransaction() ? control("START TRANSACTION", "The script's transaction could not begin")
      : Future.<Void>succeededFuture())
      .compose(begun -> from(0))
      .compose(ran -> options.singleTransaction()
        ? control("COMMIT", "The script's transaction could not commit")
        : Future.succeededFuture())
      .map(done -> first == null
        ? new ScriptResult(List.of(), List.of(), messages.list())
        : new ScriptResult(first.columns(), first.rows(), messages.list()));
  }

  /**
   * START TRANSACTION, the statements, then ROLLBACK whatever happened. Nothing runs when any statement would end
   * the transaction; where the server has @@in_transaction (MariaDB), it must still be 1 after each statement, or
   * the run stops there.
   */
  private Future<ScriptResult> dryRun() {
    for (MysqlScript.Statement statement : script.statements()) {
      Optional<String> refusal = MysqlDryRun.refusal(statement);
      if (refusal.isPresent()) {
        return Future.failedFuture(new ScriptFailed(describe(statement) + " " + refusal.get(), messages.list(),
          new DryRunRefused(refusal.get(), null)));
      }
    }
    return control("START TRANSACTION", "The dry run's transaction could not begin")
      .compose(begun -> transactionOpen()
        .recover(e -> e instanceof MySQLException mysql && mysql.getErrorCode() == UNKNOWN_SYSTEM_VARIABLE
          ? Future.succeededFuture(Optional.empty())
          : Future.failedFuture(new ScriptFailed("The dry run's transaction could not begin: " + e.getMessage(),
            messages.list(), e))))
      .compose(open -> {
        guarded = open.isPresent();
        return from(0);
      })
      .compose(ran -> control("ROLLBACK", "The dry run's transaction could not roll back"))
      .map(done -> seen.result(messages.list()))
      .recover(this::rolledBack);
  }

  /** Leaves nothing of a failed dry run, before the connection closes (which would roll back too). */
  private Future<ScriptResult> rolledBack(Throwable failure) {
    return connection.query("ROLLBACK")
      .execute()
      .timeout(ROLLBACK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .transform(rolledBack -> Future.failedFuture(failure));
  }

  /** @@in_transaction, 1 while a transaction is open; fails on a server without it (MySQL). */
  private Future<Optional<Boolean>> transactionOpen() {
    return connection.query("SELECT @@in_transaction")
      .execute()
      .map(rows -> Optional.of(((Number) rows.iterator().next().getValue(0)).intValue() == 1));
  }

  /** After a dry run's statement: the transaction it runs in must still be open, or nothing more may run. */
  private Future<Void> stillInTransaction(MysqlScript.Statement statement) {
    if (!guarded) {
      return Future.succeededFuture();
    }
    return transactionOpen().compose(open -> open.orElse(true)
      ? Future.succeededFuture()
      : Future.failedFuture(new ScriptFailed(describe(statement) + " " + ScriptOptions.ENDS_THE_TRANSACTION
        + " (@@in_transaction is 0 after it): what it and the statements before it did may have been committed; "
        + "nothing after it ran", messages.list(), new DryRunRefused(ScriptOptions.ENDS_THE_TRANSACTION, null))));
  }

  /** A dry run's statement: the rows of all its results counted, and at most a few of the first result set kept. */
  private Future<Void> counted(MysqlScript.Statement statement) {
    return connection.query(statement.sql())
      .collecting(new FirstRows(seen.rowsToKeep()))
      .execute()
      .map(result -> {
        long rows = 0;
        for (SqlResult<List<List<Object>>> set = result; set != null; set = set.next()) {
          List<ColumnDescriptor> columns = set.columnDescriptors();
          // MySQL counts the rows a statement changed; those it returned are the result set's size.
          if (columns != null && !columns.isEmpty()) {
            seen.resultSet(ReactiveSessions.columns(columns, MysqlRun::ddlType), set.value());
            rows += set.size();
          } else {
            rows += set.rowCount();
          }
        }
        seen.statement(statement.number(), statement.line(), MysqlDryRun.words(statement.sql()), rows);
        return null;
      });
  }

  private Future<Void> from(int index) {
    if (index == script.statements().size()) {
      return Future.succeededFuture();
    }
    return statement(script.statements().get(index)).compose(done -> from(index + 1));
  }

  private Future<Void> statement(MysqlScript.Statement statement) {
    if (cancelled.getAsBoolean()) {
      return Future.failedFuture(new ScriptFailed("Canceled before " + describe(statement) + " started.",
        messages.list(), null));
    }
    // Once a result set is kept, later ones are counted and dropped: a large result costs no memory.
    Future<Void> ran = options.dryRun() ? counted(statement) : options.keepFirstResult() && first == null
      ? connection.query(statement.sql())
        .execute()
        .map(rows -> {
          first = ReactiveSessions.firstResultSet(rows, MysqlRun::ddlType);
          return null;
        })
      : connection.query(statement.sql())
        .collecting(DISCARD)
        .execute()
        .mapEmpty();
    return ran
      .compose(done -> warnings())
      // The server's own words, as the mysql client prints them: ERROR 1064 (42000) at line 7: ...
      .recover(e -> Future.failedFuture(new ScriptFailed(describe(statement) + ": " + text(e, statement.line()),
        messages.list(), e)))
      // After the warnings: the check would clear them.
      .compose(done -> options.dryRun() ? stillInTransaction(statement) : Future.succeededFuture());
  }

  /** BEGIN and COMMIT of a single transaction. A connection closed on failure rolls back what is open. */
  private Future<Void> control(String sql, String failure) {
    return connection.query(sql)
      .execute()
      .<Void>mapEmpty()
      .recover(e -> Future.failedFuture(new ScriptFailed(failure + ": " + e.getMessage(), messages.list(), e)));
  }

  /** What the statement left in the diagnostics area: Level (Code n): message, as mysql --show-warnings prints. */
  private Future<Void> warnings() {
    return connection.query("SHOW WARNINGS")
      .execute()
      .map(rows -> {
        for (Row row : rows) {
          messages.add(row.getString(0) + " (Code " + row.getValue(1) + "): " + row.getString(2));
        }
        return null;
      });
  }

  private static String describe(MysqlScript.Statement statement) {
    return "statement " + statement.number() + " (line " + statement.line() + ")";
  }

  private static String text(Throwable failure, int line) {
    if (failure instanceof MySQLException mysql) {
      return "ERROR " + mysql.getErrorCode() + " (" + mysql.getSqlState() + ") at line " + line + ": "
        + message(mysql);
    }
    return failure.getMessage();
  }

  /** The server's message, without the code and state the client appends to it. */
  private static String message(MySQLException failure) {
    String text = failure.getMessage();
    int at = text == null ? -1 : text.lastIndexOf(" (" + failure.getErrorCode() + ")");
    return at < 0 ? text : text.substring(0, at);
  }

  /**
   * The column's type as an output table's DDL writes it. A result set does not say how long its strings may be,
   * so text and binary columns take the largest type; decimals keep every digit MySQL allows.
   */
  static String ddlType(ColumnDescriptor column) {
    if ("JSON".equalsIgnoreCase(column.typeName())) {
      return "json";
    }
    return switch (column.jdbcType()) {
      case TINYINT -> "tinyint";
      case SMALLINT -> "smallint";
      case INTEGER -> "int";
      case BIGINT -> "bigint";
      case REAL, FLOAT -> "float";
      case DOUBLE -> "double";
      case DECIMAL, NUMERIC -> "decimal(65,30)";
      case BOOLEAN -> "tinyint";
      case BIT -> "bit(64)";
      case DATE -> "date";
      case TIME -> "time(6)";
      case TIMESTAMP, TIMESTAMP_WITH_TIMEZONE -> "datetime(6)";
      case BINARY, VARBINARY, LONGVARBINARY, BLOB -> "longblob";
      default -> "longtext";
    };
  }

  /** The same type as information_schema.columns.data_type names it. */
  static String catalogType(String ddlType) {
    int paren = ddlType.indexOf('(');
    return (paren < 0 ? ddlType : ddlType.substring(0, paren)).toLowerCase(Locale.ROOT);
  }
}
