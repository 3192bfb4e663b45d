package io.fleetjobs.server.testsupport.tds;

import java.util.List;
import java.util.Map;

/**
 * One statement as the driver sent it: a SQL batch's text, or one RPC with its parameters (several RPCs can
 * share one request). For sp_executesql and sp_prepexec, {@code sql} is the statement they carry; for
 * sp_execute, the statement its handle was prepared with.
 *
 * @param procedure null for a SQL batch; else sp_executesql, sp_prepexec, sp_execute, ... or the procedure's name
 */
public record TdsCall(String procedure, String sql, List<Param> parameters) {
  static final Map<Integer, String> PROCEDURES = Map.of(1, "sp_cursor", 2, "sp_cursoropen", 9, "sp_cursorclose",
    10, "sp_executesql", 11, "sp_prepare", 12, "sp_execute", 13, "sp_prepexec", 15, "sp_unprepare");

  /** @param output whether the parameter was sent by reference, for a value the procedure returns */
  public record Param(String name, TypeInfo type, Object value, boolean output) {
  }

  public boolean isBatch() {
    return procedure == null;
  }

  /** The statement's own parameters: what a JDBC setXxx bound, without sp_executesql's or sp_prepexec's own. */
  public List<Param> values() {
    int skip = switch (procedure == null ? "" : procedure) {
      case "sp_executesql" -> 2;
      case "sp_prepexec" -> 3;
      case "sp_execute" -> 1;
      default -> 0;
    };
    return parameters.subList(Math.min(skip, parameters.size()), parameters.size());
  }

  @Override
  public String toString() {
    return (procedure == null ? "batch" : procedure) + ": " + sql;
  }
}
