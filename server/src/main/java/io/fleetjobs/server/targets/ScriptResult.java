package io.fleetjobs.server.targets;

import java.sql.Types;
import java.util.List;

/**
 * The first result set a script produced (no columns when it produced none), for the output table, and
 * the informational messages the server sent while it ran (PRINT, RAISERROR WITH low severity, NOTICE).
 */
public record ScriptResult(List<Column> columns, List<List<Object>> rows, List<String> messages) {

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

  public ScriptResult(List<Column> columns, List<List<Object>> rows) {
    this(columns, rows, List.of());
  }

  public boolean hasResultSet() {
    return !columns.isEmpty();
  }
}
