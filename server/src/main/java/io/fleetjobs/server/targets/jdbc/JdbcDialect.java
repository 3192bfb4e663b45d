package io.fleetjobs.server.targets.jdbc;

import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.ScriptBatch;
import io.fleetjobs.server.targets.ScriptResult;
import java.sql.Connection;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What differs between database engines on the JDBC path: connection properties, the enumeration
 * queries, the output table's DDL and checks, and how a script splits into batches. Everything else,
 * pools, threads, cancellation, results and messages, is the same code for every dialect.
 */
public interface JdbcDialect {

  /** Where enumeration connects: SQL Server's master. */
  String maintenanceDatabase();

  /**
   * @param trustServerCertificate whether TLS may accept a certificate no trusted authority signed
   * @param applicationName what the server shows for the session (program_name), set at login
   */
  JdbcEndpoint endpoint(String serverName, String database, JdbcAuth auth, boolean trustServerCertificate,
                        String applicationName);

  /** One column, the names of every database a SqlServer member expands to. */
  String databasesQuery();

  /** One column, the databases of the elastic pool bound to the only parameter; empty when the engine has none. */
  Optional<String> poolDatabasesQuery();

  List<ScriptBatch> batches(String script);

  /** Leaves a pooled connection as a new session would find it, after a script that may have changed it. */
  void resetSession(Connection connection) throws SQLException;

  // Output tables

  String quote(String identifier);

  /** The type of a result column as this engine's DDL writes it, e.g. nvarchar(50) or decimal(10,2). */
  String ddlType(ResultSetMetaData metaData, int column) throws SQLException;

  /** The type as the catalog names it, without length or precision, for comparing with an existing table. */
  String catalogType(String ddlType);

  /** Statements that serialize writers of one output table within the transaction; one parameter, the table. */
  String lockOutputTable();

  /** Two columns (name, catalog type) of the table whose schema and name are the two parameters; no rows if none. */
  String existingColumnsQuery();

  /** Any row when an index of the table (schema and name as parameters) starts with internal_execution_id. */
  String executionIndexQuery();

  /** The catalog type internal_execution_id must have. */
  String executionIdType();

  List<String> createOutputTable(OutputTable table, List<ScriptResult.Column> columns);

  /** The value bound to internal_execution_id. */
  Object executionId(UUID id);

  /** The name Elastic Jobs gives the index on internal_execution_id. */
  static String executionIndexName(OutputTable table) {
    return "IX_" + table.tableName() + "_Internal_Execution_ID";
  }
}
