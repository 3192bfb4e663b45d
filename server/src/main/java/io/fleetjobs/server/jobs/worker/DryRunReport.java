package io.fleetjobs.server.jobs.worker;

import io.fleetjobs.server.targets.ScriptResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a dry run saw on one target, as the job database keeps it and the API shows it: the rows each statement
 * affected (or returned), and the first rows of the first result set. Values that JSON has no type for (times,
 * decimals, binary) are kept as the text the driver gives for them.
 */
final class DryRunReport {
  private DryRunReport() {
  }

  static JsonObject of(ScriptResult result) {
    JsonArray statements = new JsonArray();
    result.statements().forEach(statement -> statements.add(new JsonObject()
      .put("statement", statement.number())
      .put("line", statement.line())
      .put("command", statement.command())
      .put("rows", statement.rows())));
    JsonObject report = new JsonObject().put("statements", statements);
    if (result.hasResultSet()) {
      JsonArray columns = new JsonArray();
      result.columns().forEach(column -> columns.add(new JsonObject()
        .put("name", column.name())
        .put("type", column.typeName())));
      JsonArray rows = new JsonArray();
      result.rows().forEach(row -> rows.add(values(row)));
      report.put("resultSet", new JsonObject().put("columns", columns).put("rows", rows));
    }
    return report;
  }

  private static JsonArray values(List<Object> row) {
    JsonArray values = new JsonArray();
    for (Object value : row) {
      values.add(value == null || value instanceof String || value instanceof Boolean
        || value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Double
        || value instanceof Float ? value : value.toString());
    }
    return values;
  }
}
