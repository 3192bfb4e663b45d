package io.fleetjobs.server.targets;

import java.util.List;

/** The first result set a script produced (no columns when it produced none), for the output table. */
public record ScriptResult(List<Column> columns, List<List<Object>> rows) {
  public static final ScriptResult NONE = new ScriptResult(List.of(), List.of());

  /** @param typeName the engine's own type name, usable in its DDL */
  public record Column(String name, String typeName) {
  }

  public boolean hasResultSet() {
    return !columns.isEmpty();
  }
}
