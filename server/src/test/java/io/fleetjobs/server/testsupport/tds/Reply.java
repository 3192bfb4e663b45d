package io.fleetjobs.server.testsupport.tds;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the test server answers to one statement, as SQL Server's token stream would carry it: result sets
 * (column metadata, rows), counts, informational messages and errors in any order, a pause that only an
 * ATTENTION ends, or a killed session. The server adds the final DONE (DONEPROC for an RPC) and the MORE bits.
 */
public final class Reply {
  sealed interface Step {
  }

  record Columns(List<TdsColumn> columns) implements Step {
  }

  record Row(List<Object> values) implements Step {
  }

  record Message(boolean error, int number, int severity, String text) implements Step {
  }

  /**
   * @param count -1 for a DONE without a count
   * @param command the statement's kind as DONE's CurCmd names it (0 for none): mssql-jdbc reports a count as an
   *     update count only after INSERT, UPDATE, DELETE and other DML or DDL
   */
  record Done(long count, int command) implements Step {
  }

  record Pause(Duration atMost) implements Step {
  }

  record Kill() implements Step {
  }

  private final List<Step> steps = new ArrayList<>();

  /** The answer of a statement that returns nothing: DONE, no count. */
  public static Reply ok() {
    return new Reply();
  }

  /** One result set: its columns, its rows, and DONE with the row count. */
  public static Reply resultSet(List<TdsColumn> columns, List<?>... rows) {
    Reply reply = new Reply().columns(columns.toArray(TdsColumn[]::new));
    Arrays.stream(rows).forEach(row -> reply.row(row.toArray()));
    return reply.count(rows.length);
  }

  /** What an UPDATE reports: DONE with a count, and UPDATE as its command. */
  public static Reply updateCount(long count) {
    Reply reply = new Reply();
    reply.steps.add(new Done(count, Tokens.CMD_UPDATE));
    return reply;
  }

  /** A statement that fails, as SQL Server reports it: an ERROR token, then DONE with the error bit. */
  public static Reply failure(int number, int severity, String text) {
    return new Reply().error(number, severity, text);
  }

  public Reply columns(TdsColumn... columns) {
    steps.add(new Columns(List.of(columns)));
    return this;
  }

  public Reply row(Object... values) {
    steps.add(new Row(Arrays.asList(values)));
    return this;
  }

  /** PRINT, or RAISERROR with a severity of 10 or less. */
  public Reply info(String text) {
    steps.add(new Message(false, 0, 0, text));
    return this;
  }

  public Reply error(int number, int severity, String text) {
    steps.add(new Message(true, number, severity, text));
    return this;
  }

  /** Ends the statement so far with DONE and a count (DONEINPROC inside an RPC). */
  public Reply count(long count) {
    steps.add(new Done(count, 0));
    return this;
  }

  /** Ends the statement so far with DONE, no count. */
  public Reply done() {
    steps.add(new Done(-1, 0));
    return this;
  }

  /** Sends nothing more until the driver sends ATTENTION (then acknowledges it) or the time is up. */
  public Reply pauseUntilAttention(Duration atMost) {
    steps.add(new Pause(atMost));
    return this;
  }

  /** Closes the connection here, as KILL or a failover does. */
  public Reply kill() {
    steps.add(new Kill());
    return this;
  }

  List<Step> steps() {
    return steps;
  }
}
