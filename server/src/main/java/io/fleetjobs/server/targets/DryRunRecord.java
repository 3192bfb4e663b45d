package io.fleetjobs.server.targets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a dry run saw on one target while its script ran, whatever the engine: each statement's (or batch's) rows,
 * and at most {@link ScriptOptions#DRY_RUN_ROWS} rows of the first result set. One per run; the engine's run feeds
 * it as results arrive, and reads {@link #rowsToKeep()} before it reads a result's rows.
 */
public final class DryRunRecord {
  private final List<ScriptResult.StatementCount> statements = new ArrayList<>();
  private ScriptResult first;

  /** How many rows of the next result set to keep: the first rows of the first one, none of any later one. */
  public int rowsToKeep() {
    return first == null ? ScriptOptions.DRY_RUN_ROWS : 0;
  }

  /** A result set with columns; only the first one is kept, with the rows read under {@link #rowsToKeep()}. */
  public void resultSet(List<ScriptResult.Column> columns, List<List<Object>> rows) {
    if (first == null && !columns.isEmpty()) {
      first = new ScriptResult(List.copyOf(columns), List.copyOf(rows));
    }
  }

  /**
   * @param number the statement's (for sqlcmd scripts, the batch's) place in the script, from 1
   * @param text the statement's text, or its leading words: its first key word names the command
   * @param rows what it affected, or returned
   */
  public void statement(int number, int line, String text, long rows) {
    statements.add(new ScriptResult.StatementCount(number, line, command(text), rows));
  }

  /** The script's result: the first result set, the messages, and every statement's rows. */
  public ScriptResult result(List<String> messages) {
    return first == null
      ? new ScriptResult(List.of(), List.of(), messages, List.copyOf(statements))
      : new ScriptResult(first.columns(), first.rows(), messages, List.copyOf(statements));
  }

  /** The first word of a statement whose comments and leading blanks are gone, upper case: UPDATE, WITH. */
  static String command(String text) {
    String trimmed = text.strip();
    int end = 0;
    while (end < trimmed.length() && (Character.isLetterOrDigit(trimmed.charAt(end)) || trimmed.charAt(end) == '_')) {
      end++;
    }
    return (end == 0 ? trimmed.split("\\s+", 2)[0] : trimmed.substring(0, end)).toUpperCase(Locale.ROOT);
  }
}
