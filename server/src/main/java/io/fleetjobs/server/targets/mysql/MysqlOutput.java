package io.fleetjobs.server.targets.mysql;

import io.fleetjobs.common.errors.OutputMismatch;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.ScriptResult;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes a result set to its output table on MySQL or MariaDB: one writer per table at a time (a named lock, since
 * DDL commits on its own there and cannot wait inside a transaction), the table created on first use with MySQL's
 * types and an index on internal_execution_id, or checked when it exists; an earlier attempt's rows for the same
 * target are replaced, in one transaction with the new rows.
 */
final class MysqlOutput {
  private static final List<String> RESERVED = List.of("internal_execution_id", "target_server_name",
    "target_database_name");
  private static final int LOCK_SECONDS = 30;
  private static final int MAX_IDENTIFIER = 64;

  private MysqlOutput() {
  }

  static Future<Void> append(SqlConnection connection, OutputTable table, ScriptResult result) {
    try {
      checkNames(table, result);
    } catch (OutputMismatch e) {
      return Future.failedFuture(e);
    }
    String qualified = quote(table.schemaName()) + "." + quote(table.tableName());
    return connection.preparedQuery("SELECT GET_LOCK(?, ?)")
      .execute(Tuple.of(lockName(table), LOCK_SECONDS))
      .compose(locked -> Integer.valueOf(1).equals(locked.iterator().next().getInteger(0))
        ? existingColumns(connection, table)
        : Future.failedFuture(new IllegalStateException("Another writer held the output table " + qualified
          + " for " + LOCK_SECONDS + " s.")))
      .compose(existing -> existing.isEmpty()
        ? create(connection, table, qualified, result)
        : check(connection, table, qualified, existing, result))
      .compose(ready -> connection.begin())
      .compose(tx -> connection.preparedQuery("DELETE FROM " + qualified + " WHERE internal_execution_id = ?"
          + " AND target_server_name = ? AND target_database_name = ?")
        .execute(Tuple.of(table.jobExecutionId().toString(), table.targetServer(), table.targetDatabase()))
        .compose(deleted -> insert(connection, table, qualified, result))
        .compose(inserted -> tx.commit()))
      .eventually(() -> connection.preparedQuery("SELECT RELEASE_LOCK(?)").execute(Tuple.of(lockName(table))));
  }

  /** Names over 64 characters are not MySQL identifiers; a table cannot have a column twice. */
  private static void checkNames(OutputTable table, ScriptResult result) {
    for (String name : List.of(table.schemaName(), table.tableName())) {
      if (name.length() > MAX_IDENTIFIER) {
        throw new OutputMismatch("The output name '" + name + "' is longer than MySQL's 64-character identifiers.");
      }
    }
    Set<String> seen = new HashSet<>(RESERVED);
    for (ScriptResult.Column column : result.columns()) {
      if (column.name() == null || column.name().isBlank() || !seen.add(column.name().toLowerCase(Locale.ROOT))) {
        throw new OutputMismatch("The result has a column without a name, the column '" + column.name()
          + "' twice, or one the output table reserves; name the result's columns with AS.");
      }
    }
  }

  private static Future<Map<String, String>> existingColumns(SqlConnection connection, OutputTable table) {
    return connection.preparedQuery("""
        SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position""")
      .execute(Tuple.of(table.schemaName(), table.tableName()))
      .map(rows -> {
        Map<String, String> columns = new LinkedHashMap<>();
        for (Row row : rows) {
          columns.put(row.getString(0).toLowerCase(Locale.ROOT), row.getString(1).toLowerCase(Locale.ROOT));
        }
        return columns;
      });
  }

  /** As Elastic Jobs makes output tables, with MySQL's types: the run's id as its text form. */
  private static Future<Void> create(SqlConnection connection, OutputTable table, String qualified,
                                     ScriptResult result) {
    String columns = result.columns().stream()
      .map(column -> quote(column.name()) + " " + column.typeName())
      .collect(Collectors.joining(", "));
    String index = "IX_" + table.tableName() + "_Internal_Execution_ID";
    return connection.query("CREATE TABLE IF NOT EXISTS " + qualified + " (internal_execution_id char(36) NOT NULL, "
        + "target_server_name varchar(255) NOT NULL, target_database_name varchar(255) NOT NULL, " + columns
        + ", INDEX " + quote(index.length() <= MAX_IDENTIFIER ? index : "IX_Internal_Execution_ID")
        + " (internal_execution_id))")
      .execute()
      .mapEmpty();
  }

  /** A table made beforehand must have what Elastic Jobs output tables have, and this result's columns. */
  private static Future<Void> check(SqlConnection connection, OutputTable table, String qualified,
                                    Map<String, String> existing, ScriptResult result) {
    List<String> missing = new ArrayList<>();
    for (String column : RESERVED) {
      if (!existing.containsKey(column)) {
        missing.add("a column " + column);
      }
    }
    for (ScriptResult.Column column : result.columns()) {
      String wanted = MysqlRun.catalogType(column.typeName());
      if (!wanted.equals(existing.get(column.name().toLowerCase(Locale.ROOT)))) {
        missing.add("a column " + column.name() + " of type " + wanted);
      }
    }
    return connection.preparedQuery("""
        SELECT 1 FROM information_schema.statistics
         WHERE table_schema = ? AND table_name = ? AND column_name = 'internal_execution_id' AND seq_in_index = 1""")
      .execute(Tuple.of(table.schemaName(), table.tableName()))
      .compose(indexes -> {
        if (indexes.size() == 0) {
          missing.add("an index on internal_execution_id");
        }
        return missing.isEmpty() ? Future.<Void>succeededFuture() : Future.failedFuture(new OutputMismatch(
          "The output table " + qualified + " does not match this result: it needs " + String.join(", ", missing)
            + ". Its columns are " + existing.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", ")) + "."));
      });
  }

  private static Future<Void> insert(SqlConnection connection, OutputTable table, String qualified,
                                     ScriptResult result) {
    if (result.rows().isEmpty()) {
      return Future.succeededFuture();
    }
    String columns = result.columns().stream().map(c -> ", " + quote(c.name())).collect(Collectors.joining());
    String values = ", ?".repeat(result.columns().size());
    List<Tuple> batch = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      Tuple tuple = Tuple.of(table.jobExecutionId().toString(), table.targetServer(), table.targetDatabase());
      row.forEach(tuple::addValue);
      batch.add(tuple);
    }
    return connection.preparedQuery("INSERT INTO " + qualified + " (internal_execution_id, target_server_name, "
        + "target_database_name" + columns + ") VALUES (?, ?, ?" + values + ")")
      .executeBatch(batch)
      .mapEmpty();
  }

  /** Named locks are server-wide and at most 64 characters: a digest of the table names one. */
  private static String lockName(OutputTable table) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
        .digest((table.schemaName() + "." + table.tableName()).getBytes(StandardCharsets.UTF_8));
      return "fleetjobs_output_" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String quote(String identifier) {
    return '`' + identifier.replace("`", "``") + '`';
  }
}
