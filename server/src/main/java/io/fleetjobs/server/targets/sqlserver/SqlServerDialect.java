package io.fleetjobs.server.targets.sqlserver;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.ScriptBatch;
import io.fleetjobs.server.targets.ScriptResult;
import io.fleetjobs.server.targets.ServerAddress;
import io.fleetjobs.server.targets.SqlcmdBatches;
import io.fleetjobs.server.targets.jdbc.JdbcAuth;
import io.fleetjobs.server.targets.jdbc.JdbcDialect;
import io.fleetjobs.server.targets.jdbc.JdbcEndpoint;
import java.sql.Connection;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** SQL Server and Azure SQL through Microsoft's JDBC driver (mssql-jdbc). */
public final class SqlServerDialect implements JdbcDialect {
  public static final int DEFAULT_PORT = 1433;
  private static final int LOGIN_TIMEOUT_SECONDS = 15;
  private static final int OUTPUT_LOCK_TIMEOUT_MS = 30_000;
  private static final Set<String> CHARACTERS = Set.of("char", "varchar", "binary", "varbinary");
  private static final Set<String> NATIONAL = Set.of("nchar", "nvarchar");
  private static final Set<String> FRACTIONAL_SECONDS = Set.of("datetime2", "datetimeoffset", "time");

  @Override
  public String maintenanceDatabase() {
    return "master";
  }

  /**
   * Every setting goes in the properties, none in the URL, so no value needs escaping. TLS is always on;
   * the certificate is checked unless the member or the agent's configuration says to trust it.
   */
  @Override
  public JdbcEndpoint endpoint(String serverName, String database, JdbcAuth auth, boolean trustServerCertificate,
                               String applicationName) {
    Properties properties = new Properties();
    address(serverName, properties);
    properties.setProperty("databaseName", database);
    properties.setProperty("encrypt", "true");
    properties.setProperty("trustServerCertificate", Boolean.toString(trustServerCertificate));
    properties.setProperty("loginTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS));
    properties.setProperty("applicationName", applicationName);
    if (auth instanceof JdbcAuth.Password password) {
      properties.setProperty("user", password.login().username());
      properties.setProperty("password", password.login().password());
    } else if (auth instanceof JdbcAuth.Token token) {
      properties.setProperty("accessToken", token.token().get());
    }
    return new JdbcEndpoint("jdbc:sqlserver://", properties);
  }

  /**
   * Host, port and named instance, from the forms DBAs write: host, host:port, [ipv6]:port, sqlcmd's
   * tcp:host,port, and host\INSTANCE (optionally with :port). A named instance without a port is found
   * through the SQL Server Browser, so no port is set for it: the driver would otherwise ignore the name.
   */
  static void address(String serverName, Properties properties) {
    String name = serverName.regionMatches(true, 0, "tcp:", 0, 4) ? serverName.substring(4) : serverName;
    int comma = name.lastIndexOf(',');
    if (comma > 0) {
      name = name.substring(0, comma) + ":" + name.substring(comma + 1).trim();
    }
    int slash = name.indexOf('\\');
    if (slash > 0) {
      String instance = name.substring(slash + 1);
      int colon = instance.indexOf(':');
      properties.setProperty("instanceName", colon < 0 ? instance : instance.substring(0, colon));
      name = name.substring(0, slash) + (colon < 0 ? "" : instance.substring(colon));
    }
    ServerAddress address;
    try {
      address = ServerAddress.parse(name, -1);
    } catch (RuntimeException e) {
      throw new InvalidInput("serverName", "'" + serverName + "' is not host, host:port, tcp:host,port or host\\INSTANCE.");
    }
    properties.setProperty("serverName", address.host());
    if (address.port() != -1) {
      properties.setProperty("portNumber", Integer.toString(address.port()));
    } else if (!properties.containsKey("instanceName")) {
      properties.setProperty("portNumber", Integer.toString(DEFAULT_PORT));
    }
  }

  @Override
  public String databasesQuery() {
    return """
      SELECT name FROM sys.databases
       WHERE state_desc = 'ONLINE' AND name NOT IN ('master', 'tempdb', 'model', 'msdb')
       ORDER BY name""";
  }

  /** Azure SQL names each database's pool in master's sys.database_service_objectives. */
  @Override
  public Optional<String> poolDatabasesQuery() {
    return Optional.of("""
      SELECT d.name FROM sys.databases d
        JOIN sys.database_service_objectives o ON o.database_id = d.database_id
       WHERE o.elastic_pool_name = ? AND d.state_desc = 'ONLINE'
       ORDER BY d.name""");
  }

  @Override
  public List<ScriptBatch> batches(String script) {
    return SqlcmdBatches.split(script);
  }

  /** endRequest rolls back what the script left open and has the next use reset the session on the server. */
  @Override
  public void resetSession(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION");
    }
    connection.endRequest();
  }

  @Override
  public String quote(String identifier) {
    return '[' + identifier.replace("]", "]]") + ']';
  }

  /** mssql-jdbc reports lengths in characters, 2^31-1 or 0 for (max), and "int identity" for identities. */
  @Override
  public String ddlType(ResultSetMetaData metaData, int column) throws SQLException {
    String type = metaData.getColumnTypeName(column).toLowerCase(Locale.ROOT).replace(" identity", "");
    int precision = metaData.getPrecision(column);
    int scale = metaData.getScale(column);
    if (CHARACTERS.contains(type)) {
      return type + (precision <= 0 || precision > 8000 ? "(max)" : "(" + precision + ")");
    }
    if (NATIONAL.contains(type)) {
      return type + (precision <= 0 || precision > 4000 ? "(max)" : "(" + precision + ")");
    }
    return switch (type) {
      case "decimal", "numeric" -> type + "(" + precision + "," + scale + ")";
      case "sysname" -> "nvarchar(128)";
      case "text" -> "varchar(max)";
      case "ntext" -> "nvarchar(max)";
      case "image" -> "varbinary(max)";
      case "timestamp", "rowversion" -> "binary(8)";
      default -> FRACTIONAL_SECONDS.contains(type) ? type + "(" + scale + ")" : type;
    };
  }

  @Override
  public String catalogType(String ddlType) {
    int parenthesis = ddlType.indexOf('(');
    return (parenthesis < 0 ? ddlType : ddlType.substring(0, parenthesis)).toLowerCase(Locale.ROOT);
  }

  @Override
  public String lockOutputTable() {
    return "DECLARE @granted int; "
      + "EXEC @granted = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Transaction', "
      + "@LockTimeout = " + OUTPUT_LOCK_TIMEOUT_MS + "; "
      + "IF @granted < 0 THROW 51000, 'Timed out waiting for another target writing to the output table.', 1;";
  }

  @Override
  public String existingColumnsQuery() {
    return """
      SELECT c.name, t.name FROM sys.columns c
        JOIN sys.types t ON t.user_type_id = c.user_type_id
        JOIN sys.tables tb ON tb.object_id = c.object_id
        JOIN sys.schemas s ON s.schema_id = tb.schema_id
       WHERE s.name = ? AND tb.name = ?
       ORDER BY c.column_id""";
  }

  @Override
  public String executionIndexQuery() {
    return """
      SELECT i.name FROM sys.indexes i
        JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.key_ordinal = 1
        JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
        JOIN sys.tables tb ON tb.object_id = i.object_id
        JOIN sys.schemas s ON s.schema_id = tb.schema_id
       WHERE s.name = ? AND tb.name = ? AND c.name = 'internal_execution_id'""";
  }

  @Override
  public String executionIdType() {
    return "uniqueidentifier";
  }

  @Override
  public List<String> createOutputTable(OutputTable table, List<ScriptResult.Column> columns) {
    String qualified = quote(table.schemaName()) + "." + quote(table.tableName());
    List<String> statements = new ArrayList<>();
    statements.add("CREATE TABLE " + qualified + " (internal_execution_id uniqueidentifier NOT NULL, "
      + "target_server_name nvarchar(256) NOT NULL, target_database_name nvarchar(128) NOT NULL, "
      + columns.stream().map(c -> quote(c.name()) + " " + c.typeName() + " NULL").collect(Collectors.joining(", "))
      + ")");
    statements.add("CREATE NONCLUSTERED INDEX " + quote(JdbcDialect.executionIndexName(table)) + " ON " + qualified
      + " (internal_execution_id)");
    return statements;
  }

  /** As text, which SQL Server converts to uniqueidentifier in every driver version. */
  @Override
  public Object executionId(UUID id) {
    return id.toString();
  }
}
