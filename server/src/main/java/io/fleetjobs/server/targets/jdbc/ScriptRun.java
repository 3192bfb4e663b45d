package io.fleetjobs.server.targets.jdbc;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.common.errors.OutputMismatch;
import io.fleetjobs.server.targets.Messages;
import io.fleetjobs.server.targets.ScriptBatch;
import io.fleetjobs.server.targets.ScriptFailed;
import io.fleetjobs.server.targets.ScriptResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One script on one connection, batch after batch, stopping at the first batch that fails; with a single
 * transaction, every batch runs in one transaction that commits after the last and rolls back on a failure.
 * It runs on a worker thread; {@link #cancel()} comes from another thread and cancels the running statement
 * on the server, as JDBC's Statement.cancel is meant to be used.
 */
final class ScriptRun {
  private static final Logger LOG = LoggerFactory.getLogger(ScriptRun.class);
  private static final int MAX_DRAINED_RESULTS = 10_000;
  /**
   * The rows of one target's result kept for its output table: they are held in memory from the script's end
   * until the bulk copy has streamed them, so a result that would not fit fails the target instead.
   */
  static final int MAX_OUTPUT_ROWS = 100_000;

  private final JdbcDialect dialect;
  private final List<ScriptBatch> batches;
  private final boolean keepFirstResult;
  private final boolean singleTransaction;
  private final Messages messages = new Messages();
  private volatile Connection connection;
  private volatile Statement current;
  private volatile boolean cancelled;
  private boolean tooManyRows;

  ScriptRun(JdbcDialect dialect, List<ScriptBatch> batches, boolean keepFirstResult, boolean singleTransaction) {
    this.dialect = dialect;
    this.batches = batches;
    this.keepFirstResult = keepFirstResult;
    this.singleTransaction = singleTransaction;
  }

  ScriptResult execute(Connection target) throws SQLException {
    connection = target;
    target.beginRequest();
    boolean ended = false;
    try {
      if (singleTransaction) {
        target.setAutoCommit(false);
      }
      ScriptResult first = null;
      for (int index = 0; index < batches.size(); index++) {
        ScriptBatch batch = batches.get(index);
        for (int run = 1; run <= batch.repeat(); run++) {
          first = executeBatch(target, index, run, first);
        }
      }
      if (singleTransaction) {
        commit(target);
      }
      int open = dialect.endSession(target);
      ended = true;
      if (tooManyRows) {
        throw new ScriptFailed("The script ran, but its first result set has more than " + MAX_OUTPUT_ROWS
          + " rows, the most one target may write to an output table; no row was written.", messages.list(),
          new OutputMismatch("an output result of more than " + MAX_OUTPUT_ROWS + " rows"));
      }
      if (open > 0) {
        // sqlcmd users are told, and a transaction rolled back in silence would pass for a success.
        throw new ScriptFailed("The script left " + open + (open == 1 ? " transaction" : " transactions")
          + " open (BEGIN TRANSACTION without COMMIT); " + (open == 1 ? "it was" : "they were") + " rolled back.",
          messages.list(), new InvalidInput("action.value", "a script must commit or roll back each transaction "
            + "it begins"));
      }
      return first == null
        ? new ScriptResult(List.of(), List.of(), messages.list())
        : new ScriptResult(first.columns(), first.rows(), messages.list());
    } finally {
      // Still abortable while the session is reset: a half-dead socket can hang the rollback too.
      if (singleTransaction) {
        endTransaction(target);
      }
      if (!ended) {
        endSessionQuietly(target);
      }
      endRequest(target);
      connection = null;
    }
  }

  private void commit(Connection target) throws SQLException {
    try {
      target.commit();
    } catch (SQLException e) {
      addWarnings(target.getWarnings());
      throw new ScriptFailed("The script's transaction could not commit: " + e.getMessage(), messages.list(), e);
    }
  }

  /** After a commit this rolls back nothing; after a failure, everything the script did. */
  private static void endTransaction(Connection target) {
    try {
      if (!target.isClosed()) {
        target.rollback();
        target.setAutoCommit(true);
      }
    } catch (SQLException e) {
      LOG.debug("Could not end a script's transaction: {}", e.getMessage());
    }
  }

  private ScriptResult executeBatch(Connection target, int index, int run, ScriptResult first) throws SQLException {
    try (Statement statement = target.createStatement()) {
      current = statement;
      // A cancel that came before the statement was known must still stop it.
      if (cancelled) {
        throw new ScriptFailed("Canceled before " + describe(index, run) + " started.", messages.list(), null);
      }
      try {
        return results(statement, statement.execute(batches.get(index).sql()), first);
      } catch (SQLException e) {
        drainAfter(statement);
        if (batches.get(index).continueOnError() && !cancelled && !statementGone(statement)) {
          // sqlcmd's :on error ignore: the error is shown and the next batch runs.
          messages.add(describe(index, run) + " failed: " + e.getMessage());
          return first;
        }
        throw new ScriptFailed(failure(e, index, run), messages.list(), e);
      } finally {
        current = null;
      }
    }
  }

  /**
   * Walks every result of the batch to its end: result sets row by row (kept or not), update counts, and the
   * messages between them. mssql-jdbc discards the unread rest of a result set when it closes, and with it an
   * error raised while the rows streamed (a divide by zero, a conversion error, a deadlock victim): reading
   * every row is what makes such a batch fail, as getMoreResults requires.
   */
  private ScriptResult results(Statement statement, boolean isResultSet, ScriptResult first) throws SQLException {
    boolean resultSet = isResultSet;
    while (true) {
      addWarnings(statement.getWarnings());
      statement.clearWarnings();
      if (resultSet) {
        try (ResultSet rows = statement.getResultSet()) {
          ScriptResult read = read(rows, keepFirstResult && first == null);
          if (keepFirstResult && first == null) {
            first = read;
          }
          addWarnings(rows.getWarnings());
        }
      } else if (statement.getUpdateCount() == -1) {
        return first;
      }
      resultSet = statement.getMoreResults();
    }
  }

  /**
   * After an error the rest of the batch still ran on the server (T-SQL goes on after most errors): its
   * messages, and further errors, follow in the response. sqlcmd shows them, so they are kept; a result
   * that fails again only adds its message. Bounded, in case a driver never reports the end.
   */
  private void drainAfter(Statement statement) {
    try {
      addWarnings(statement.getWarnings());
      statement.clearWarnings();
    } catch (SQLException e) {
      return;
    }
    String lastError = null;
    for (int i = 0; i < MAX_DRAINED_RESULTS; i++) {
      try {
        boolean more = statement.getMoreResults();
        addWarnings(statement.getWarnings());
        statement.clearWarnings();
        if (!more && statement.getUpdateCount() == -1) {
          return;
        }
      } catch (SQLException e) {
        if (statementGone(statement) || e.getMessage().equals(lastError)) {
          return;
        }
        lastError = e.getMessage();
        messages.add(e.getMessage());
      }
    }
  }

  private static boolean statementGone(Statement statement) {
    try {
      return statement.isClosed() || statement.getConnection().isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  /** mssql-jdbc reports PRINT and low-severity RAISERROR in the warning chain, the PostgreSQL driver its NOTICEs. */
  private void addWarnings(SQLWarning chain) {
    for (SQLWarning warning = chain; warning != null; warning = warning.getNextWarning()) {
      messages.add(warning.getMessage());
    }
  }

  /** @param keep whether the rows are wanted; the rest are read and dropped, so their errors still surface */
  private ScriptResult read(ResultSet rows, boolean keep) throws SQLException {
    if (!keep) {
      while (rows.next()) {
        // read to the end: see results()
      }
      return null;
    }
    ResultSetMetaData metaData = rows.getMetaData();
    List<ScriptResult.Column> columns = new ArrayList<>();
    for (int i = 1; i <= metaData.getColumnCount(); i++) {
      columns.add(new ScriptResult.Column(metaData.getColumnLabel(i), dialect.ddlType(metaData, i),
        metaData.getColumnType(i)));
    }
    List<List<Object>> values = new ArrayList<>();
    while (rows.next()) {
      if (values.size() == MAX_OUTPUT_ROWS) {
        tooManyRows = true;
        continue;
      }
      List<Object> row = new ArrayList<>(columns.size());
      for (int i = 1; i <= columns.size(); i++) {
        row.add(rows.getObject(i));
      }
      values.add(row);
    }
    return new ScriptResult(columns, values);
  }

  private String failure(SQLException e, int index, int run) {
    String where = batches.size() == 1 && batches.get(0).repeat() == 1 ? "" : describe(index, run) + " failed: ";
    return where + e.getMessage();
  }

  private String describe(int index, int run) {
    ScriptBatch batch = batches.get(index);
    return "batch " + (index + 1) + " of " + batches.size() + " (line " + batch.firstLine() + " of the script"
      + (batch.repeat() > 1 ? ", run " + run + " of " + batch.repeat() : "") + ")";
  }

  /** From now on no batch starts; cheap, so callers mark before they cancel. */
  void markCancelled() {
    cancelled = true;
  }

  /** Asks the server to stop the running statement; the batch then fails and no later batch starts. Blocking. */
  void cancel() {
    cancelled = true;
    Statement statement = current;
    if (statement == null) {
      return;
    }
    try {
      statement.cancel();
    } catch (SQLException e) {
      LOG.debug("Could not cancel a statement: {}", e.getMessage());
    }
  }

  /** For a server that ignores the cancel: closing the connection ends the statement for sure. */
  void abort(Executor executor) {
    Connection open = connection;
    if (open == null) {
      return;
    }
    try {
      open.abort(executor);
    } catch (SQLException e) {
      LOG.debug("Could not abort a connection: {}", e.getMessage());
    }
  }

  private void endSessionQuietly(Connection target) {
    try {
      if (!target.isClosed()) {
        dialect.endSession(target);
      }
    } catch (SQLException e) {
      LOG.debug("Could not end a pooled session: {}", e.getMessage());
    }
  }

  /** The driver puts back what JDBC calls changed on the client side (autocommit, isolation, timeouts). */
  private static void endRequest(Connection target) {
    try {
      if (!target.isClosed()) {
        target.endRequest();
      }
    } catch (SQLException e) {
      LOG.debug("Could not end a JDBC request: {}", e.getMessage());
    }
  }
}
