package io.fleetjobs.server.targets.jdbc;

import io.fleetjobs.server.targets.ScriptBatch;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * How a dialect runs a script as a dry run: inside a transaction it opens and always rolls back, refusing up
 * front what cannot run inside it, and checking after each batch that the script left it open.
 */
public interface JdbcDryRun {

  /** Opens the dry run's transaction, in a session whose transaction settings are known. */
  String begin();

  /** Ends it whatever state the session is in; sent on every path, failures, timeouts and cancels included. */
  String rollback();

  /** Whether the dry run's transaction is still open: false once the script committed or rolled it back. */
  boolean stillOpen(Connection connection) throws SQLException;

  /** Why the batch cannot be dry-run, naming the statement and its line in the script; empty when it can. */
  Optional<String> refusal(ScriptBatch batch);

  /** Whether the server refused a statement because it cannot run inside a transaction (it then did nothing). */
  boolean outsideATransaction(SQLException failure);

  /** The batch's first key word, which the dry run records as its command. */
  String command(ScriptBatch batch);
}
