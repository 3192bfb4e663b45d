package io.fleetjobs.server.targets.postgres;

import io.fleetjobs.server.targets.Messages;
import io.fleetjobs.server.targets.ScriptFailed;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.ScriptResult;
import io.vertx.core.Future;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.PgNotice;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.desc.ColumnDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collector;
import java.util.stream.Collectors;

/**
 * One script on one connection, as {@code psql -v ON_ERROR_STOP=1} runs it: statement after statement, each
 * committed on its own unless the script opens a transaction itself (BEGIN … COMMIT), stopping at the first
 * error. With a single transaction ({@code psql --single-transaction}), BEGIN comes first and COMMIT last.
 * NOTICE, INFO and WARNING messages become the run's messages instead of log lines; the first result set of
 * any statement is kept when it is wanted. Everything happens on the connection's event loop.
 */
public final class PsqlRun {
  private static final Collector<Row, ?, Long> DISCARD = Collectors.counting();
  private static final long ROLLBACK_TIMEOUT_MS = 5_000;

  private final PgConnection connection;
  private final PsqlScript script;
  private final ScriptOptions options;
  private final BooleanSupplier cancelled;
  private final Messages messages = new Messages();
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
    // Once a result set is kept, later ones are counted and dropped: a large result costs no memory.
    Future<Void> ran = options.keepFirstResult() && first == null
      ? connection.query(statement.sql())
        .execute()
        .map(rows -> {
          first = firstResultSet(rows);
          return null;
        })
      : connection.query(statement.sql())
        .collecting(DISCARD)
        .execute()
        .mapEmpty();
    return ran.recover(e -> {
      int line = e instanceof PgException pg ? script.lineOf(statement, pg.getPosition()) : statement.line();
      return Future.failedFuture(new ScriptFailed(describe(statement, line, run, repeat) + ": " + e.getMessage(),
        messages.list(), e));
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

  /** The first result of the statement that has columns, or null when none has. */
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
    return null;
  }
}
