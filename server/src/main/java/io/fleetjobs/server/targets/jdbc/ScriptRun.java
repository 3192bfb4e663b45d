package io.fleetjobs.server.targets.jdbc;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.common.errors.OutputMismatch;
import io.fleetjobs.server.targets.DryRunRecord;
import io.fleetjobs.server.targets.DryRunRefused;
import io.fleetjobs.server.targets.Messages;
import io.fleetjobs.server.targets.ScriptBatch;
import io.fleetjobs.server.targets.ScriptFailed;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.ScriptResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One script on one connection, batch after batch, stopping at the first batch that fails; with a single
 * transaction, every batch runs in one transaction that commits after the last and rolls back on a failure.
 * A dry run runs every batch inside the dialect's dry-run transaction, rolled back on every path, after refusing
 * the script if any batch cannot run inside it; it checks after each batch that the transaction is still open,
 * and records each batch's rows. It runs on a worker thread; {@link #cancel()} comes from another thread and
 * cancels the running statement on the server, as JDBC's Statement.cancel is meant to be used.
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
  private final JdbcDryRun dryRun;
  private final DryRunRecord seen = new DryRunRecord();
  private final Messages messages = new Messages();
  private volatile Connection connection;
  private volatile Statement current;
  private volatile boolean cancelled;
  private boolean tooManyRows;
  /** The rows the running batch affected or returned, for a dry run's record. */
  private long batchRows;
  private boolean rolledBack;

  /** @param dryRun how the dialect runs a dry run, or null for a run that counts */
  ScriptRun(JdbcDialect dialect, List<ScriptBatch> batches, boolean keepFirstResult, boolean singleTransaction,
            JdbcDryRun dryRun) {
    this.dialect = dialect;
    this.batches = batches;
    this.keepFirstResult = keepFirstResult;
    // A dry run is one transaction already; the driver's own (IMPLICIT_TRANSACTIONS) would change what it opens.
    this.singleTransaction = singleTransaction && dryRun == null;
    this.dryRun = dryRun;
  }

  /** A dry run's refusal of the script, found before anything connects: no batch of it is ever sent. */
  Optional<ScriptFailed> refusal() {
    if (dryRun == null) {
      return Optional.empty();
    }
    for (int index = 0; index < batches.size(); index++) {
      Optional<String> refused = dryRun.refusal(batches.get(index));
      if (refused.isPresent()) {
        return Optional.of(new ScriptFailed(describe(index, 1) + " " + refused.get(), List.of(),
          new DryRunRefused(refused.get(), null)));
      }
    }
    return Optional.empty();
  }

  ScriptResult execute(Connection target) throws SQLException {
    connection = target;
    target.beginRequest();
    boolean ended = false;
    try {
      if (singleTransaction) {
        target.setAutoCommit(false);
      }
      if (dryRun != null) {
        control(target, dryRun.begin(), "The dry run's transaction could not begin");
      }
      ScriptResult first = null;
      for (int index = 0; index < batches.size(); index++) {
        ScriptBatch batch = batches.get(index);
        for (int run = 1; run <= batch.repeat(); run++) {
          first = executeBatch(target, index, run, first);
          if (dryRun != null) {
            stillInTransaction(target, index, run);
          }
        }
      }
      if (singleTransaction) {
        commit(target);
      }
      if (dryRun != null) {
        control(target, dryRun.rollback(), "The dry run's transaction could not roll back");
        rolledBack = true;
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
      if (dryRun != null) {
        return seen.result(messages.list());
      }
      return first == null
        ? new ScriptResult(List.of(), List.of(), messages.list())
        : new ScriptResult(first.columns(), first.rows(), messages.list());
    } finally {
      // Still abortable while the session is reset: a half-dead socket can hang the rollback too.
      if (singleTransaction) {
        endTransaction(target);
      }
      if (dryRun != null && !rolledBack) {
        rollBackQuietly(target);
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

  /** The dry run's own statements; what they print is not the script's. */
  private void control(Connection target, String sql, String failure) throws SQLException {
    try (Statement statement = target.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new ScriptFailed(failure + ": " + e.getMessage(), messages.list(), e);
    }
  }

  /**
   * A batch that committed or rolled back the dry run's transaction (a procedure's COMMIT, dynamic SQL, an error
   * that ends it) stops the run: another batch would commit on its own, for real.
   */
  private void stillInTransaction(Connection target, int index, int run) throws SQLException {
    if (!dryRun.stillOpen(target)) {
      throw new ScriptFailed(describe(index, run) + " " + ScriptOptions.ENDS_THE_TRANSACTION + " (no transaction "
        + "is open after it): what it did before it ended the transaction may have been committed; nothing after "
        + "it ran", messages.list(), new DryRunRefused(ScriptOptions.ENDS_THE_TRANSACTION, null));
    }
  }

  /** After a failure, a timeout or a cancel: nothing of a dry run may stay, whatever the session's state. */
  private void rollBackQuietly(Connection target) {
    try {
      if (!target.isClosed()) {
        try (Statement statement = target.createStatement()) {
          statement.execute(dryRun.rollback());
        }
      }
    } catch (SQLException e) {
      // A closed session rolls back on the server; a pooled one is reset before its next use.
      LOG.debug("Could not roll back a dry run's transaction: {}", e.getMessage());
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
        batchRows = 0;
        ScriptResult read = results(statement, statement.execute(batches.get(index).sql()), first);
        if (dryRun != null) {
          ScriptBatch batch = batches.get(index);
          seen.statement(index + 1, batch.firstLine(), dryRun.command(batch), batchRows);
        }
        return read;
      } catch (SQLException e) {
        drainAfter(statement);
        if (dryRun != null && dryRun.outsideATransaction(e)) {
          // Refused by the server before it did anything; no :on error ignore makes it a dry run's success.
          throw new ScriptFailed(describe(index, run) + " " + ScriptOptions.NOT_IN_A_TRANSACTION + " ("
            + e.getMessage() + ")", messages.list(), new DryRunRefused(ScriptOptions.NOT_IN_A_TRANSACTION, e));
        }
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
          if (dryRun != null) {
            batchRows += record(rows);
          } else {
            ScriptResult read = read(rows, keepFirstResult && first == null);
            if (keepFirstResult && first == null) {
              first = read;
            }
          }
          addWarnings(rows.getWarnings());
        }
      } else {
        int count = statement.getUpdateCount();
        if (count == -1) {
          return first;
        }
        batchRows += count;
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
    List<ScriptResult.Column> columns = columns(rows.getMetaData());
    List<List<Object>> values = new ArrayList<>();
    while (rows.next()) {
      if (values.size() == MAX_OUTPUT_ROWS) {
        tooManyRows = true;
        continue;
      }
      values.add(row(rows, columns.size()));
    }
    return new ScriptResult(columns, values);
  }

  /** A dry run's result set: every row read (see results()) and counted, the first few kept in its record. */
  private long record(ResultSet rows) throws SQLException {
    int keep = seen.rowsToKeep();
    List<ScriptResult.Column> columns = keep > 0 ? columns(rows.getMetaData()) : List.of();
    List<List<Object>> kept = new ArrayList<>();
    long count = 0;
    while (rows.next()) {
      count++;
      if (kept.size() < keep) {
        kept.add(row(rows, columns.size()));
      }
    }
    seen.resultSet(columns, kept);
    return count;
  }

  private List<ScriptResult.Column> columns(ResultSetMetaData metaData) throws SQLException {
    List<ScriptResult.Column> columns = new ArrayList<>();
    for (int i = 1; i <= metaData.getColumnCount(); i++) {
      columns.add(new ScriptResult.Column(metaData.getColumnLabel(i), dialect.ddlType(metaData, i),
        metaData.getColumnType(i)));
    }
    return columns;
  }

  private static List<Object> row(ResultSet rows, int width) throws SQLException {
    List<Object> row = new ArrayList<>(width);
    for (int i = 1; i <= width; i++) {
      row.add(rows.getObject(i));
    }
    return row;
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
