package io.fleetjobs.server.targets.jdbc;

import io.fleetjobs.common.errors.OutputMismatch;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.ScriptResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Writes a result set to its output table in two short transactions. The first holds the table's lock only
 * while it creates the table or checks it (widening a column a later tenant's values no longer fit); the
 * second, without the lock, replaces an earlier attempt's rows for the same target and inserts the rows,
 * by bulk copy where the dialect has one. So targets writing one table wait for each other only for the
 * check, never for each other's rows. Blocking; runs on a worker thread.
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
    inTransaction(connection, () -> {
      try (PreparedStatement lock = connection.prepareStatement(dialect.lockOutputTable())) {
        lock.setString(1, qualified);
        lock.execute();
      }
      Map<String, String> existing = existingColumns(connection, table);
      if (existing.isEmpty()) {
        for (String ddl : dialect.createOutputTable(table, outputColumns(result))) {
          execute(connection, ddl);
        }
      } else {
        for (String widen : checkTable(connection, table, qualified, existing, result)) {
          execute(connection, widen);
        }
      }
    });
    inTransaction(connection, () -> {
      replaceEarlierAttempt(connection, table, qualified);
      insert(connection, table, qualified, result);
    });
  }

  @FunctionalInterface
  private interface Work {
    void run() throws SQLException;
  }

  private static void inTransaction(Connection connection, Work work) throws SQLException {
    connection.setAutoCommit(false);
    try {
      work.run();
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

  private static void execute(Connection connection, String sql) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.execute();
    }
  }

  /** The result's columns with the types the output table gives them (wide text, on SQL Server). */
  private List<ScriptResult.Column> outputColumns(ScriptResult result) {
    return result.columns().stream()
      .map(c -> new ScriptResult.Column(c.name(), dialect.outputType(c.typeName()), c.jdbcType()))
      .toList();
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

  /** Column name to its type as the catalog reads it (with length, precision or scale where the dialect has them). */
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

  /**
   * A table made beforehand, or by an earlier target, must have what Elastic Jobs output tables have and this
   * result's columns, of the same kind; a column too narrow for this result is widened.
   *
   * @return the statements that widen columns
   */
  private List<String> checkTable(Connection connection, OutputTable table, String qualified,
                                  Map<String, String> existing, ScriptResult result) throws SQLException {
    List<String> missing = new ArrayList<>();
    List<String> widen = new ArrayList<>();
    if (!dialect.executionIdType().equals(dialect.catalogType(existing.getOrDefault("internal_execution_id", "")))) {
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
      String wanted = dialect.outputType(column.typeName());
      String have = existing.get(column.name().toLowerCase(Locale.ROOT));
      Optional<String> wider = have == null ? Optional.empty() : dialect.widened(have, wanted);
      if (wider.isPresent()) {
        widen.add(dialect.alterColumn(qualified, column.name(), wider.get()));
      } else if (have == null || !dialect.catalogType(wanted).equals(dialect.catalogType(have))) {
        missing.add("a column " + column.name() + " of type " + dialect.catalogType(wanted));
      }
    }
    if (!missing.isEmpty()) {
      throw new OutputMismatch("The output table " + qualified + " does not match this result: it needs "
        + String.join(", ", missing) + ". Its columns are " + existing.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")) + ".");
    }
    return widen;
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
    if (dialect.bulkInsert(connection, qualified, table, outputColumns(result), result.rows())) {
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
          bind(insert, i + 4, row.get(i), result.columns().get(i).jdbcType());
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

  /**
   * A NULL goes with its column's JDBC type: untyped, mssql-jdbc sends it as a character parameter, which SQL
   * Server will not convert to a binary column (Msg 257).
   */
  static void bind(PreparedStatement insert, int index, Object value, int jdbcType) throws SQLException {
    if (value == null && jdbcType != Types.NULL) {
      insert.setNull(index, jdbcType);
    } else {
      insert.setObject(index, value);
    }
  }
}
