package io.fleetjobs.server.targets.jdbc;

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

  private final JdbcDialect dialect;
  private final List<ScriptBatch> batches;
  private final boolean keepFirstResult;
  private final boolean singleTransaction;
  private final Messages messages = new Messages();
  private volatile Connection connection;
  private volatile Statement current;
  private volatile boolean cancelled;

  ScriptRun(JdbcDialect dialect, List<ScriptBatch> batches, boolean keepFirstResult, boolean singleTransaction) {
    this.dialect = dialect;
    this.batches = batches;
    this.keepFirstResult = keepFirstResult;
    this.singleTransaction = singleTransaction;
  }

  ScriptResult execute(Connection target) throws SQLException {
    connection = target;
    target.beginRequest();
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
      return first == null
        ? new ScriptResult(List.of(), List.of(), messages.list())
        : new ScriptResult(first.columns(), first.rows(), messages.list());
    } finally {
      // Still abortable while the session is reset: a half-dead socket can hang the rollback too.
      if (singleTransaction) {
        endTransaction(target);
      }
      reset(target);
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
        addWarnings(statement.getWarnings());
        throw new ScriptFailed(failure(e, index, run), messages.list(), e);
      } finally {
        current = null;
      }
    }
  }

  /** Walks every result of the batch: result sets, update counts, and the messages between them. */
  private ScriptResult results(Statement statement, boolean isResultSet, ScriptResult first) throws SQLException {
    boolean resultSet = isResultSet;
    while (true) {
      addWarnings(statement.getWarnings());
      statement.clearWarnings();
      if (resultSet) {
        try (ResultSet rows = statement.getResultSet()) {
          if (keepFirstResult && first == null) {
            first = read(rows);
          }
        }
      } else if (statement.getUpdateCount() == -1) {
        return first;
      }
      resultSet = statement.getMoreResults();
    }
  }

  /** mssql-jdbc reports PRINT and low-severity RAISERROR in the warning chain, the PostgreSQL driver its NOTICEs. */
  private void addWarnings(SQLWarning chain) {
    for (SQLWarning warning = chain; warning != null; warning = warning.getNextWarning()) {
      messages.add(warning.getMessage());
    }
  }

  private ScriptResult read(ResultSet rows) throws SQLException {
    ResultSetMetaData metaData = rows.getMetaData();
    List<ScriptResult.Column> columns = new ArrayList<>();
    for (int i = 1; i <= metaData.getColumnCount(); i++) {
      columns.add(new ScriptResult.Column(metaData.getColumnLabel(i), dialect.ddlType(metaData, i)));
    }
    List<List<Object>> values = new ArrayList<>();
    while (rows.next()) {
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

  private void reset(Connection target) {
    try {
      if (!target.isClosed()) {
        dialect.resetSession(target);
      }
    } catch (SQLException e) {
      LOG.debug("Could not reset a pooled session: {}", e.getMessage());
    }
  }
}
