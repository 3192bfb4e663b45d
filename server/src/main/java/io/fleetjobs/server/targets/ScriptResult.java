package io.fleetjobs.server.targets;

import java.sql.Types;
import java.util.List;

/**
 * The first result set a script produced (no columns when it produced none), for the output table, and
 * the informational messages the server sent while it ran (PRINT, RAISERROR WITH low severity, NOTICE).
 *
 * @param statements what each statement did, in order: kept for a dry run, empty otherwise
 */
public record ScriptResult(List<Column> columns, List<List<Object>> rows, List<String> messages,
                           List<StatementCount> statements) {

  /**
   * @param typeName the engine's own type name, usable in its DDL
   * @param jdbcType the column's java.sql.Types code as the target's driver reported it, so a NULL can be bound
   *     with its type (SQL Server refuses a NULL sent as text into a binary column); Types.NULL when not known
   */
  public record Column(String name, String typeName, int jdbcType) {
    public Column(String name, String typeName) {
      this(name, typeName, Types.NULL);
    }
  }

  /**
   * @param number the statement's place in the script (batch, for sqlcmd scripts), from 1
   * @param line where it starts
   * @param command its first key word as the script spells it (UPDATE, SELECT, WITH)
   * @param rows the rows it affected, or returned
   */
  public record StatementCount(int number, int line, String command, long rows) {
  }

  public ScriptResult(List<Column> columns, List<List<Object>> rows, List<String> messages) {
    this(columns, rows, messages, List.of());
  }

  public ScriptResult(List<Column> columns, List<List<Object>> rows) {
    this(columns, rows, List.of());
  }

  public boolean hasResultSet() {
    return !columns.isEmpty();
  }
}
