package io.fleetjobs.server.targets.postgres;

import io.fleetjobs.server.targets.ScriptOptions;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps a script inside the one transaction a dry run rolls back. The script's own transaction control would
 * end that transaction (its COMMIT would commit for real), so it becomes a savepoint: BEGIN opens one, COMMIT
 * releases it, ROLLBACK rolls back to it, and the script behaves as it would alone. Two-phase commit cannot run
 * inside a transaction, so it is refused before it is sent; every other statement that cannot (VACUUM, CREATE
 * INDEX CONCURRENTLY, ALTER SYSTEM …) is refused by the server itself (SQLSTATE 25001) before it does
 * anything, which is the one list that is always right. One per run; pure.
 */
final class DryRunStatements {
  private static final String SAVEPOINT = "fleetjobs_dry_run_script";
  /** Transaction control that ends the transaction: what it would do to the script's savepoint instead. */
  private static final Set<String> ENDS = Set.of("commit", "end", "rollback", "abort");
  private static final Set<String> TWO_PHASE = Set.of("prepare transaction", "commit prepared", "rollback prepared");

  /** What to send instead of a statement: its text, a savepoint command, nothing (null), or a refusal. */
  record Translation(String sql, String refusal) {
    static Translation send(String sql) {
      return new Translation(sql, null);
    }

    static Translation nothing() {
      return new Translation(null, null);
    }
  }

  private boolean scriptTransactionOpen;

  Translation translate(PsqlScript.Statement statement) {
    String words = statement.leadingWords();
    String first = words.contains(" ") ? words.substring(0, words.indexOf(' ')) : words;
    if (TWO_PHASE.contains(words)) {
      return new Translation(null, ScriptOptions.NOT_IN_A_TRANSACTION + " (" + words.toUpperCase(Locale.ROOT) + ")");
    }
    if (first.equals("begin") || words.equals("start transaction")) {
      // A second BEGIN only warns in PostgreSQL; the savepoint already stands for the first.
      if (scriptTransactionOpen) {
        return Translation.nothing();
      }
      scriptTransactionOpen = true;
      return Translation.send("SAVEPOINT " + SAVEPOINT);
    }
    if (words.equals("rollback to")) {
      return Translation.send(statement.sql());
    }
    if (ENDS.contains(first)) {
      if (!scriptTransactionOpen) {
        // Outside a transaction PostgreSQL only warns that there is none.
        return Translation.nothing();
      }
      boolean rollback = first.equals("rollback") || first.equals("abort");
      String text = statement.sql().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
      boolean chain = text.contains("and chain") && !text.contains("and no chain");
      scriptTransactionOpen = chain;
      return Translation.send((rollback ? "ROLLBACK TO SAVEPOINT " + SAVEPOINT + "; " : "")
        + "RELEASE SAVEPOINT " + SAVEPOINT + (chain ? "; SAVEPOINT " + SAVEPOINT : ""));
    }
    return Translation.send(statement.sql());
  }
}
