package io.fleetjobs.server.targets.postgres;

import io.fleetjobs.server.targets.DryRunRecord;
import io.fleetjobs.server.targets.DryRunRefused;
import io.fleetjobs.server.targets.FirstRows;
import io.fleetjobs.server.targets.ReactiveSessions;
import io.fleetjobs.server.targets.Messages;
import io.fleetjobs.server.targets.ScriptFailed;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.ScriptResult;
import io.vertx.core.Future;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.PgNotice;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.desc.ColumnDescriptor;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collector;
import java.util.stream.Collectors;

/**
 * One script on one connection, as {@code psql -v ON_ERROR_STOP=1} runs it: statement after statement, each
 * committed on its own unless the script opens a transaction itself (BEGIN … COMMIT), stopping at the first
 * error. With a single transaction ({@code psql --single-transaction}), BEGIN comes first and COMMIT last.
 * NOTICE, INFO and WARNING messages become the run's messages instead of log lines; the first result set of
 * any statement is kept when it is wanted. A dry run runs the whole script inside BEGIN … ROLLBACK
 * ({@link DryRunStatements}), counting each statement's rows. Everything happens on the connection's event loop.
 */
public final class PsqlRun {
  private static final Collector<Row, ?, Long> DISCARD = Collectors.counting();
  private static final long ROLLBACK_TIMEOUT_MS = 5_000;
  /**
   * What PostgreSQL says of a statement that cannot run inside a transaction: active_sql_transaction (VACUUM,
   * CREATE INDEX CONCURRENTLY, ALTER SYSTEM, CREATE DATABASE) and invalid_transaction_termination (a
   * procedure that commits). Checked before the statement does anything.
   */
  private static final Set<String> OUTSIDE_A_TRANSACTION = Set.of("25001", "2D000");

  private final PgConnection connection;
  private final PsqlScript script;
  private final ScriptOptions options;
  private final BooleanSupplier cancelled;
  private final Messages messages = new Messages();
  private final DryRunStatements dryRun = new DryRunStatements();
  private final DryRunRecord seen = new DryRunRecord();
  private ScriptResult first;

  /** @param cancelled true once no further statement may start */
  public PsqlRun(PgConnection connection, PsqlScript script, ScriptOptions options, BooleanSupplier cancelled) {
    this.connection = connection;
    this.script = script;
    this.options = options;
    this.cancelled = cancelled;
  }

  public Future<ScriptResult> execute() {
    connection.noticeHandler(notice -> messages.add(text(notice)));
    if (options.dryRun()) {
      // Nothing the script did outlives it, whether it ended well or not.
      return control("BEGIN", "The dry run's transaction could not begin")
        .compose(begun -> from(0, 1, 0))
        .compose(ran -> control("ROLLBACK", "The dry run's transaction could not roll back"))
        .map(done -> result())
        .recover(this::rolledBack);
    }
    if (!options.singleTransaction() && script.single().isPresent()) {
      // The common case costs what it always did: one statement, one round trip, and it cannot leave a
      // transaction open.
      return statement(script.single().get(), 1, 1)
        .map(done -> result());
    }
    return (options.singleTransaction() ? control("BEGIN", "The script's transaction could not begin") : none())
      .compose(begun -> from(0, 1, 0))
      .compose(ran -> options.singleTransaction()
        ? control("COMMIT", "The script's transaction could not commit")
        : none())
      .map(done -> result())
      .recover(this::rolledBack);
  }

  /** Runs statement {@code index} of batch {@code batch}, in that batch's run {@code run}, and all after it. */
  private Future<Void> from(int batch, int run, int index) {
    if (batch == script.batches().size()) {
      return none();
    }
    PsqlScript.Batch current = script.batches().get(batch);
    if (index == current.statements().size()) {
      return run < current.repeat() ? from(batch, run + 1, 0) : from(batch + 1, 1, 0);
    }
    return statement(current.statements().get(index), run, current.repeat())
      .compose(done -> from(batch, run, index + 1));
  }

  private Future<Void> statement(PsqlScript.Statement statement, int run, int repeat) {
    if (cancelled.getAsBoolean()) {
      return Future.failedFuture(new ScriptFailed("Canceled before " + describe(statement, statement.line(), run,
        repeat) + " started.", messages.list(), null));
    }
    Future<Void> ran;
    if (options.dryRun()) {
      DryRunStatements.Translation translation = dryRun.translate(statement);
      if (translation.refusal() != null) {
        return Future.failedFuture(new ScriptFailed(describe(statement, statement.line(), run, repeat) + " "
          + translation.refusal(), messages.list(), new DryRunRefused(translation.refusal(), null)));
      }
      ran = translation.sql() == null ? none() : counted(statement, translation.sql());
    } else if (options.keepFirstResult() && first == null) {
      ran = connection.query(statement.sql())
        .execute()
        .map(rows -> {
          first = ReactiveSessions.firstResultSet(rows, ColumnDescriptor::typeName);
          return null;
        });
    } else {
      // Once a result set is kept, later ones are counted and dropped: a large result costs no memory.
      ran = connection.query(statement.sql())
        .collecting(DISCARD)
        .execute()
        .mapEmpty();
    }
    return ran.recover(e -> {
      int line = e instanceof PgException pg ? script.lineOf(statement, pg.getPosition()) : statement.line();
      if (options.dryRun() && e instanceof PgException pg && OUTSIDE_A_TRANSACTION.contains(pg.getSqlState())) {
        return Future.failedFuture(new ScriptFailed(describe(statement, line, run, repeat) + " "
          + ScriptOptions.NOT_IN_A_TRANSACTION + " (" + pg.getErrorMessage() + ")", messages.list(),
          new DryRunRefused(ScriptOptions.NOT_IN_A_TRANSACTION, e)));
      }
      return Future.failedFuture(new ScriptFailed(describe(statement, line, run, repeat) + ": " + e.getMessage(),
        messages.list(), e));
    });
  }

  /** A dry run's statement: its rows counted, and at most a few of the first result set kept. */
  private Future<Void> counted(PsqlScript.Statement statement, String sql) {
    return connection.query(sql)
      .collecting(new FirstRows(seen.rowsToKeep()))
      .execute()
      .map(result -> {
        List<ColumnDescriptor> columns = result.columnDescriptors();
        if (columns != null) {
          seen.resultSet(ReactiveSessions.columns(columns, ColumnDescriptor::typeName), result.value());
        }
        seen.statement(statement.number(), statement.line(), statement.leadingWords(), result.rowCount());
        return null;
      });
  }

  /** BEGIN and COMMIT of a single transaction; what they print belongs to the script, as in psql. */
  private Future<Void> control(String sql, String failure) {
    return connection.query(sql)
      .execute()
      .<Void>mapEmpty()
      .recover(e -> Future.failedFuture(new ScriptFailed(failure + ": " + e.getMessage(), messages.list(), e)));
  }

  /**
   * Leaves no transaction open after a failure, whether the script opened it or the single transaction did, so
   * nothing stays locked while the connection closes. What ROLLBACK itself says is not the script's.
   */
  private Future<ScriptResult> rolledBack(Throwable failure) {
    connection.noticeHandler(notice -> { });
    return connection.query("ROLLBACK")
      .execute()
      .timeout(ROLLBACK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .transform(rolledBack -> Future.failedFuture(failure));
  }

  private ScriptResult result() {
    if (options.dryRun()) {
      return seen.result(messages.list());
    }
    return first == null
      ? new ScriptResult(List.of(), List.of(), messages.list())
      : new ScriptResult(first.columns(), first.rows(), messages.list());
  }

  private static Future<Void> none() {
    return Future.succeededFuture();
  }

  /** statement 3 (line 7), and which run of a batch that GO n repeats. */
  private static String describe(PsqlScript.Statement statement, int line, int run, int repeat) {
    return "statement " + statement.number() + " (line " + line + (repeat > 1 ? ", run " + run + " of " + repeat : "")
      + ")";
  }

  /** As psql shows a notice: its severity, its text, and the detail and hint when there are. */
  private static String text(PgNotice notice) {
    StringBuilder text = new StringBuilder(notice.getSeverity()).append(": ").append(notice.getMessage());
    if (notice.getDetail() != null) {
      text.append("\nDETAIL: ").append(notice.getDetail());
    }
    if (notice.getHint() != null) {
      text.append("\nHINT: ").append(notice.getHint());
    }
    return text.toString();
  }

}
