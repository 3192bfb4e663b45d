package io.fleetjobs.server.targets;

import java.util.List;

/**
 * The first result set a script produced (no columns when it produced none), for the output table, and
 * the informational messages the server sent while it ran (PRINT, RAISERROR WITH low severity, NOTICE).
 */
public record ScriptResult(List<Column> columns, List<List<Object>> rows, List<String> messages) {

  /** @param typeName the engine's own type name, usable in its DDL */
  public record Column(String name, String typeName) {
  }

  public ScriptResult(List<Column> columns, List<List<Object>> rows) {
    this(columns, rows, List.of());
  }

  public boolean hasResultSet() {
    return !columns.isEmpty();
  }
}
