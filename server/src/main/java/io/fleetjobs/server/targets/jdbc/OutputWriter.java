package io.fleetjobs.server.targets.jdbc;

import io.fleetjobs.common.errors.OutputMismatch;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.ScriptResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Writes a result set to its output table in one transaction: one writer per table at a time, the table
 * created on first use or checked when it exists, an earlier attempt's rows for the same target replaced.
 * Blocking; runs on a worker thread.
 */
final class OutputWriter {
  private static final List<String> RESERVED = List.of("internal_execution_id", "target_server_name",
    "target_database_name");
  private static final int ROWS_PER_BATCH = 500;
  /** A built-in type as the dialects spell it: nvarchar(50), decimal(18,4), varchar(max), int4[], double precision. */
  private static final Pattern PLAIN_TYPE =
    Pattern.compile("[a-z][a-z0-9_]*( [a-z][a-z0-9_]*)*(\\((\\d+(,\\d+)?|max)\\))?(\\[\\])?");

  private final JdbcDialect dialect;

  OutputWriter(JdbcDialect dialect) {
    this.dialect = dialect;
  }

  void append(Connection connection, OutputTable table, ScriptResult result) throws SQLException {
    checkNames(result);
    String qualified = dialect.quote(table.schemaName()) + "." + dialect.quote(table.tableName());
    connection.setAutoCommit(false);
    try {
      try (PreparedStatement lock = connection.prepareStatement(dialect.lockOutputTable())) {
        lock.setString(1, qualified);
        lock.execute();
      }
      Map<String, String> existing = existingColumns(connection, table);
      if (existing.isEmpty()) {
        for (String ddl : dialect.createOutputTable(table, result.columns())) {
          try (PreparedStatement create = connection.prepareStatement(ddl)) {
            create.execute();
          }
        }
      } else {
        checkTable(connection, table, qualified, existing, result);
        replaceEarlierAttempt(connection, table, qualified);
      }
      insert(connection, table, qualified, result);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      // On a dead connection these fail too; the first error is the one that explains what happened.
      try {
        connection.rollback();
        connection.setAutoCommit(true);
      } catch (SQLException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    connection.setAutoCommit(true);
  }

  /**
   * A table cannot have a column twice, nor one without a name. Type names come from the target's result
   * metadata and go into DDL on the output database unquoted, so a target's own type (a domain, an enum,
   * a user-defined type with a crafted name) must not carry SQL there: only plain type names pass.
   */
  private static void checkNames(ScriptResult result) {
    Set<String> seen = new HashSet<>(RESERVED);
    for (ScriptResult.Column column : result.columns()) {
      if (!PLAIN_TYPE.matcher(column.typeName()).matches()) {
        throw new OutputMismatch("The result's column '" + column.name() + "' has the type '" + column.typeName()
          + "', which an output table cannot be made with; CAST it to a built-in type.");
      }
      if (column.name() == null || column.name().isBlank() || !seen.add(column.name().toLowerCase(Locale.ROOT))) {
        throw new OutputMismatch("The result has a column without a name, the column '" + column.name()
          + "' twice, or one the output table reserves; name the result's columns with AS.");
      }
    }
  }

  private Map<String, String> existingColumns(Connection connection, OutputTable table) throws SQLException {
    Map<String, String> columns = new LinkedHashMap<>();
    try (PreparedStatement query = connection.prepareStatement(dialect.existingColumnsQuery())) {
      query.setString(1, table.schemaName());
      query.setString(2, table.tableName());
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          columns.put(rows.getString(1).toLowerCase(Locale.ROOT), rows.getString(2).toLowerCase(Locale.ROOT));
        }
      }
    }
    return columns;
  }

  /** A table made beforehand must have what Elastic Jobs output tables have, and this result's columns. */
  private void checkTable(Connection connection, OutputTable table, String qualified, Map<String, String> existing,
                          ScriptResult result) throws SQLException {
    List<String> missing = new ArrayList<>();
    if (!dialect.executionIdType().equals(existing.get("internal_execution_id"))) {
      missing.add("a column internal_execution_id of type " + dialect.executionIdType());
    }
    for (String column : List.of("target_server_name", "target_database_name")) {
      if (!existing.containsKey(column)) {
        missing.add("a column " + column);
      }
    }
    if (missing.isEmpty() && !hasExecutionIndex(connection, table)) {
      missing.add("an index on internal_execution_id, such as " + dialect.quote(JdbcDialect.executionIndexName(table)));
    }
    for (ScriptResult.Column column : result.columns()) {
      String wanted = dialect.catalogType(column.typeName());
      if (!wanted.equals(existing.get(column.name().toLowerCase(Locale.ROOT)))) {
        missing.add("a column " + column.name() + " of type " + wanted);
      }
    }
    if (!missing.isEmpty()) {
      throw new OutputMismatch("The output table " + qualified + " does not match this result: it needs "
        + String.join(", ", missing) + ". Its columns are " + existing.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")) + ".");
    }
  }

  private boolean hasExecutionIndex(Connection connection, OutputTable table) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(dialect.executionIndexQuery())) {
      query.setString(1, table.schemaName());
      query.setString(2, table.tableName());
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    }
  }

  private void replaceEarlierAttempt(Connection connection, OutputTable table, String qualified) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + qualified
      + " WHERE internal_execution_id = ? AND target_server_name = ? AND target_database_name = ?")) {
      delete.setObject(1, dialect.executionId(table.jobExecutionId()));
      delete.setString(2, table.targetServer());
      delete.setString(3, table.targetDatabase());
      delete.executeUpdate();
    }
  }

  private void insert(Connection connection, OutputTable table, String qualified, ScriptResult result)
    throws SQLException {
    if (result.rows().isEmpty()) {
      return;
    }
    String columns = result.columns().stream().map(c -> ", " + dialect.quote(c.name())).collect(Collectors.joining());
    String values = ", ?".repeat(result.columns().size());
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + qualified
      + " (internal_execution_id, target_server_name, target_database_name" + columns + ") VALUES (?, ?, ?" + values
      + ")")) {
      int pending = 0;
      for (List<Object> row : result.rows()) {
        insert.setObject(1, dialect.executionId(table.jobExecutionId()));
        insert.setString(2, table.targetServer());
        insert.setString(3, table.targetDatabase());
        for (int i = 0; i < row.size(); i++) {
          insert.setObject(i + 4, row.get(i));
        }
        insert.addBatch();
        if (++pending == ROWS_PER_BATCH) {
          insert.executeBatch();
          pending = 0;
        }
      }
      if (pending > 0) {
        insert.executeBatch();
      }
    }
  }
}
