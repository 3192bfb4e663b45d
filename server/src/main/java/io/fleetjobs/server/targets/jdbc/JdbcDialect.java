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

  /** How this engine runs dry runs; empty when it runs none, and a dry run's script is then never sent. */
  default Optional<JdbcDryRun> dryRun() {
    return Optional.empty();
  }

  /**
   * What to say when a server or pool lists no database, where that means a missing permission rather than
   * an empty server; empty to accept an empty listing.
   *
   * @param elasticPoolName null for a whole server
   */
  default Optional<String> emptyListing(String serverName, String elasticPoolName) {
    return Optional.empty();
  }

  /**
   * Ends what a script left on its session before the connection goes back to its pool: rolls back the
   * transactions it left open, at once (they would hold their locks while the connection waits), and says
   * how many there were, or 0 where the engine cannot tell. What else a session holds is reset when the
   * connection is next leased.
   */
  int endSession(Connection connection) throws SQLException;

  // Output tables

  String quote(String identifier);

  /** The type of a result column as this engine's DDL writes it, e.g. nvarchar(50) or decimal(10,2). */
  String ddlType(ResultSetMetaData metaData, int column) throws SQLException;

  /** The type as the catalog names it, without length or precision, for comparing with an existing table. */
  String catalogType(String ddlType);

  /**
   * The type an output table gives a result column of this type: as it is, or wider, so that a later
   * target's longer values fit (SQL Server: text as nvarchar(max)).
   */
  default String outputType(String ddlType) {
    return ddlType;
  }

  /**
   * The type an existing output column must be widened to for values of {@code wanted}, or empty when it
   * takes them as it is (or is of another kind, which the caller reports).
   *
   * @param existing the column's type as {@link #existingColumnsQuery()} reads it
   */
  default Optional<String> widened(String existing, String wanted) {
    return Optional.empty();
  }

  /** The statement that changes a column of the (quoted, qualified) table to the type. */
  default String alterColumn(String qualifiedTable, String column, String type) {
    return "ALTER TABLE " + qualifiedTable + " ALTER COLUMN " + quote(column) + " TYPE " + type;
  }

  /**
   * Inserts the rows in bulk, when the engine has a bulk path: each row gets the execution id, target server
   * and database first, then the result's values, in the columns' order.
   *
   * @return false when the engine has none, and the rows go as batched INSERTs
   */
  default boolean bulkInsert(Connection connection, String qualifiedTable, OutputTable table,
                             List<ScriptResult.Column> columns, List<List<Object>> rows) throws SQLException {
    return false;
  }

  /** Statements that serialize writers of one output table within the transaction; one parameter, the table. */
  String lockOutputTable();

  /**
   * Two columns (name, type) of the table whose schema and name are the two parameters; no rows if none. The
   * type may carry its length, precision or scale, for {@link #widened}.
   */
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
