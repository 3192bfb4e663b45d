package io.fleetjobs.server.targets.sqlserver;

import com.microsoft.sqlserver.jdbc.SQLServerBulkCopy;
import com.microsoft.sqlserver.jdbc.SQLServerBulkCopyOptions;
import com.microsoft.sqlserver.jdbc.SQLServerConnectionPoolDataSource;
import com.microsoft.sqlserver.jdbc.SqlAuthenticationToken;
import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.config.SqlServerSettings;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.ScriptBatch;
import io.fleetjobs.server.targets.ScriptResult;
import io.fleetjobs.server.targets.ServerAddress;
import io.fleetjobs.server.targets.SqlcmdBatches;
import io.fleetjobs.server.targets.TargetFailures;
import io.fleetjobs.server.targets.jdbc.JdbcAuth;
import io.fleetjobs.server.targets.jdbc.JdbcDialect;
import io.fleetjobs.server.targets.jdbc.JdbcDryRun;
import io.fleetjobs.server.targets.jdbc.JdbcEndpoint;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
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
  /**
   * Azure SQL answers a login with a transient error (40613, 40501...) while a database moves; mssql-jdbc
   * retries such a login itself only while its retry interval (10 s) still fits in the login timeout.
   */
  static final int LOGIN_TIMEOUT_SECONDS = 30;
  /**
   * mssql-jdbc signs a pooled session in again at its next lease once its token has less than 45 minutes left,
   * and a session signed in anew that gets the same cached token does so again at every lease after: for the
   * last 45 minutes of each token's life every target would pay a full login. A signed-in session stays valid
   * after its token expires, so the driver is told each token's expiry 45 minutes late: the session is signed
   * in again at its first lease after the token really expired, with a current one. Every new login asks anyway.
   */
  private static final Duration DRIVER_RELOGIN_WINDOW = Duration.ofMinutes(45);
  private static final int OUTPUT_LOCK_TIMEOUT_MS = 30_000;
  private static final int BULK_COPY_TIMEOUT_SECONDS = 120;
  private static final int MAX_PRECISION = 38;
  private static final Set<String> CHARACTERS = Set.of("char", "varchar", "binary", "varbinary");
  private static final Set<String> NATIONAL = Set.of("nchar", "nvarchar");
  private static final Set<String> FRACTIONAL_SECONDS = Set.of("datetime2", "datetimeoffset", "time");

  private static final JdbcDryRun DRY_RUN = new SqlServerDryRun();

  private final SqlServerSettings.Connection connection;

  public SqlServerDialect() {
    this(SqlServerSettings.Connection.DEFAULT);
  }

  /** @param connection the agent's TLS and availability options for every sqlserver connection */
  public SqlServerDialect(SqlServerSettings.Connection connection) {
    this.connection = connection;
  }

  @Override
  public String maintenanceDatabase() {
    return "master";
  }

  /**
   * Every setting goes in the properties, none in the URL, so no value needs escaping. TLS is always on;
   * the certificate is checked unless the member or the agent's configuration says to trust it. Connections
   * open through the driver's ConnectionPoolDataSource: each lease of one takes a fresh handle, which the
   * driver flags for sp_reset_connection. The agent's Entra identity signs in through accessTokenCallback:
   * the driver asks for a token at every login, for the resource the server names, so a connection that
   * logs in again (the driver reconnects pooled sessions whose token expired) never replays a stale one.
   */
  @Override
  public JdbcEndpoint endpoint(String serverName, String database, JdbcAuth auth, boolean trustServerCertificate,
                               String applicationName) {
    Properties properties = new Properties();
    address(serverName, properties);
    properties.setProperty("databaseName", database);
    properties.setProperty("encrypt", connection.strictEncryption() ? "strict" : "true");
    properties.setProperty("trustServerCertificate", Boolean.toString(trustServerCertificate));
    if (connection.hostNameInCertificate() != null) {
      properties.setProperty("hostNameInCertificate", connection.hostNameInCertificate());
    }
    if (connection.serverCertificate() != null) {
      properties.setProperty("serverCertificate", connection.serverCertificate());
    }
    properties.setProperty("multiSubnetFailover", Boolean.toString(connection.multiSubnetFailover()));
    properties.setProperty("applicationIntent", connection.applicationIntent());
    properties.setProperty("loginTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS));
    properties.setProperty("applicationName", applicationName);
    if (auth instanceof JdbcAuth.Password password) {
      properties.setProperty("user", password.login().username());
      properties.setProperty("password", password.login().password());
    }
    JdbcAuth.TokenSource tokens = auth instanceof JdbcAuth.Token token ? token.tokens() : null;
    return new JdbcEndpoint("jdbc:sqlserver://", properties, () -> dataSource(properties, tokens).getPooledConnection());
  }

  /** The properties through the data source's setters: the token callback is an object, not a property. */
  static SQLServerConnectionPoolDataSource dataSource(Properties properties, JdbcAuth.TokenSource tokens) {
    SQLServerConnectionPoolDataSource source = new SQLServerConnectionPoolDataSource();
    source.setServerName(properties.getProperty("serverName"));
    if (properties.containsKey("portNumber")) {
      source.setPortNumber(Integer.parseInt(properties.getProperty("portNumber")));
    }
    if (properties.containsKey("instanceName")) {
      source.setInstanceName(properties.getProperty("instanceName"));
    }
    source.setDatabaseName(properties.getProperty("databaseName"));
    source.setEncrypt(properties.getProperty("encrypt"));
    source.setTrustServerCertificate(Boolean.parseBoolean(properties.getProperty("trustServerCertificate")));
    if (properties.containsKey("hostNameInCertificate")) {
      source.setHostNameInCertificate(properties.getProperty("hostNameInCertificate"));
    }
    if (properties.containsKey("serverCertificate")) {
      source.setServerCertificate(properties.getProperty("serverCertificate"));
    }
    source.setMultiSubnetFailover(Boolean.parseBoolean(properties.getProperty("multiSubnetFailover", "false")));
    source.setApplicationIntent(properties.getProperty("applicationIntent", "ReadWrite"));
    source.setLoginTimeout(Integer.parseInt(properties.getProperty("loginTimeout")));
    source.setApplicationName(properties.getProperty("applicationName"));
    if (properties.containsKey("user")) {
      source.setUser(properties.getProperty("user"));
      source.setPassword(properties.getProperty("password"));
    }
    if (tokens != null) {
      source.setAccessTokenCallback((spn, stsUrl) -> {
        JdbcAuth.IssuedToken token = tokens.forResource(spn);
        return new SqlAuthenticationToken(token.value(), token.expiresAt().plus(DRIVER_RELOGIN_WINDOW).toEpochMilli());
      });
    }
    return source;
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

  /**
   * The databases a script can run on and write to: online, open to every user (not SINGLE_USER or
   * RESTRICTED_USER), writable (not an availability group's secondary, nor a database in STANDBY or set
   * READ_ONLY), and neither a snapshot, the distribution database, nor the system databases, a contained
   * availability group's own included. DATABASEPROPERTYEX and sys.databases need no permission beyond
   * seeing the database; the contained groups' names are read only where SQL Server 2022 has them.
   */
  @Override
  public String databasesQuery() {
    return CONTAINED_SYSTEM_DATABASES + "SELECT d.name FROM sys.databases d WHERE " + LISTED + " ORDER BY d.name;";
  }

  /** Azure SQL names each database's pool in master's sys.database_service_objectives. */
  @Override
  public Optional<String> poolDatabasesQuery() {
    return Optional.of(CONTAINED_SYSTEM_DATABASES + """
      SELECT d.name FROM sys.databases d
        JOIN sys.database_service_objectives o ON o.database_id = d.database_id
       WHERE o.elastic_pool_name = ? AND\s""" + LISTED + " ORDER BY d.name;");
  }

  private static final String CONTAINED_SYSTEM_DATABASES = """
    SET NOCOUNT ON;
    DECLARE @contained_system TABLE (name sysname PRIMARY KEY);
    IF COL_LENGTH('sys.availability_groups', 'is_contained') IS NOT NULL
      INSERT INTO @contained_system EXEC (N'SELECT name + N''_master'' FROM sys.availability_groups WHERE is_contained = 1
        UNION SELECT name + N''_msdb'' FROM sys.availability_groups WHERE is_contained = 1');
    """;

  private static final String LISTED = """
    d.state_desc = 'ONLINE'
       AND d.name NOT IN ('master', 'tempdb', 'model', 'msdb')
       AND d.source_database_id IS NULL
       AND d.is_in_standby = 0
       AND d.user_access_desc = 'MULTI_USER'
       AND d.is_distributor = 0
       AND DATABASEPROPERTYEX(d.name, 'Updateability') = 'READ_WRITE'
       AND d.name NOT IN (SELECT name FROM @contained_system)""";

  /**
   * A login sees in master only the databases it may use, so a listing without any usually means a missing
   * permission, not an empty server: the step would otherwise run nowhere and succeed.
   */
  @Override
  public Optional<String> emptyListing(String serverName, String elasticPoolName) {
    return Optional.of((elasticPoolName == null ? "Server '" + serverName + "'" : "Elastic pool '" + elasticPoolName
      + "' of server '" + serverName + "'") + " listed no database this agent could run on. A login sees in "
      + "master only the databases it may use: on Azure SQL, make the refresh credential's login (or the "
      + "agent's Entra identity) a member of the dbmanager role or of ##MS_DefinitionReader## in master; on "
      + "SQL Server, grant it VIEW ANY DATABASE. Databases that are offline, read-only, secondaries, snapshots, "
      + "in STANDBY or not MULTI_USER are never listed.");
  }

  @Override
  public List<ScriptBatch> batches(String script) {
    return SqlcmdBatches.split(script);
  }

  @Override
  public Optional<JdbcDryRun> dryRun() {
    return Optional.of(DRY_RUN);
  }

  /**
   * How many transactions the script left open, rolled back now (a second round trip, only then). The reset of
   * the next lease would roll them back too, but they would hold their locks while the connection waits.
   */
  @Override
  public int endSession(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      int open;
      try (ResultSet count = statement.executeQuery("SELECT @@TRANCOUNT AS open_transactions")) {
        open = count.next() ? count.getInt(1) : 0;
      }
      if (open > 0) {
        statement.execute("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION");
      }
      return open;
    }
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

  /**
   * The lock lives as long as the transaction it opens here: with autocommit off mssql-jdbc only sets
   * IMPLICIT_TRANSACTIONS, and neither DECLARE nor EXEC opens one, so without BEGIN TRANSACTION sp_getapplock
   * would find no transaction and return -999. A timeout (-1) may pass, so it is an ordinary error; any other
   * refusal is reported as what it is, under a number of its own.
   */
  @Override
  public String lockOutputTable() {
    return "IF @@TRANCOUNT = 0 BEGIN TRANSACTION; "
      + "DECLARE @granted int; "
      + "EXEC @granted = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Transaction', "
      + "@LockTimeout = " + OUTPUT_LOCK_TIMEOUT_MS + "; "
      + "IF @granted IN (-1, -2, -3) THROW " + TargetFailures.OUTPUT_LOCK_TIMEOUT + ", 'Timed out after "
      + OUTPUT_LOCK_TIMEOUT_MS / 1000 + " s waiting for another target writing to the output table.', 1; "
      + "IF @granted < 0 BEGIN DECLARE @refused nvarchar(200) = CONCAT(N'Could not lock the output table: "
      + "sp_getapplock returned ', @granted, N'.'); THROW " + TargetFailures.OUTPUT_LOCK_REFUSED
      + ", @refused, 1; END;";
  }

  /** Each column with its length, precision or scale, as DDL writes them: nvarchar(max), decimal(38,4). */
  @Override
  public String existingColumnsQuery() {
    return """
      SELECT c.name, t.name + CASE
               WHEN t.name IN ('nvarchar', 'nchar') THEN '(' + IIF(c.max_length = -1, 'max', CAST(c.max_length / 2 AS varchar(5))) + ')'
               WHEN t.name IN ('varchar', 'char', 'varbinary', 'binary') THEN '(' + IIF(c.max_length = -1, 'max', CAST(c.max_length AS varchar(5))) + ')'
               WHEN t.name IN ('decimal', 'numeric') THEN '(' + CAST(c.precision AS varchar(2)) + ',' + CAST(c.scale AS varchar(2)) + ')'
               WHEN t.name IN ('datetime2', 'datetimeoffset', 'time') THEN '(' + CAST(c.scale AS varchar(1)) + ')'
               ELSE '' END
        FROM sys.columns c
        JOIN sys.types t ON t.user_type_id = c.user_type_id
        JOIN sys.tables tb ON tb.object_id = c.object_id
        JOIN sys.schemas s ON s.schema_id = tb.schema_id
       WHERE s.name = ? AND tb.name = ?
       ORDER BY c.column_id""";
  }

  /**
   * Text of every kind goes to nvarchar(max) and bytes to varbinary(max): the first tenant's lengths would
   * refuse a later tenant's longer values (Msg 2628), and Unicode keeps every character whatever collation the
   * tenant's text came in. Decimals keep their scale with the most digits SQL Server has, and times their
   * finest precision, so nothing a later tenant sends is rounded or refused.
   */
  @Override
  public String outputType(String ddlType) {
    String kind = catalogType(ddlType);
    if (CHARACTERS.contains(kind) && !kind.endsWith("binary") || NATIONAL.contains(kind)) {
      return "nvarchar(max)";
    }
    if (kind.endsWith("binary")) {
      return "varbinary(max)";
    }
    if (kind.equals("decimal") || kind.equals("numeric")) {
      return "decimal(" + MAX_PRECISION + "," + scaleOf(ddlType) + ")";
    }
    if (FRACTIONAL_SECONDS.contains(kind)) {
      return kind + "(7)";
    }
    return ddlType;
  }

  /**
   * Text and bytes narrower than (max), or text that is not Unicode, become (max); a decimal takes the larger
   * scale with 38 digits; times their finest precision. Done under the output table's lock.
   */
  @Override
  public Optional<String> widened(String existing, String wanted) {
    String have = catalogType(existing);
    String want = catalogType(wanted);
    boolean text = want.equals("nvarchar") && (CHARACTERS.contains(have) && !have.endsWith("binary")
      || NATIONAL.contains(have));
    boolean bytes = want.equals("varbinary") && (have.equals("varbinary") || have.equals("binary"));
    if ((text || bytes) && !existing.equals(wanted)) {
      return Optional.of(wanted);
    }
    if (want.equals("decimal") && (have.equals("decimal") || have.equals("numeric"))) {
      String wider = "decimal(" + MAX_PRECISION + "," + Math.max(scaleOf(existing), scaleOf(wanted)) + ")";
      return wider.equals(existing) ? Optional.empty() : Optional.of(wider);
    }
    if (FRACTIONAL_SECONDS.contains(want) && want.equals(have) && !existing.equals(wanted)) {
      return Optional.of(wanted);
    }
    return Optional.empty();
  }

  @Override
  public String alterColumn(String qualifiedTable, String column, String type) {
    return "ALTER TABLE " + qualifiedTable + " ALTER COLUMN " + quote(column) + " " + type + " NULL";
  }

  private static int scaleOf(String ddlType) {
    int comma = ddlType.indexOf(',');
    return comma < 0 ? 0 : Integer.parseInt(ddlType.substring(comma + 1, ddlType.indexOf(')', comma)).trim());
  }

  /**
   * Rows go by bulk copy (INSERT BULK): one stream for all of them, where batched INSERTs cost an RPC a row.
   * It joins the transaction the writer opened, so the earlier attempt's rows are replaced atomically.
   */
  @Override
  public boolean bulkInsert(Connection connection, String qualifiedTable, OutputTable table,
                            List<ScriptResult.Column> columns, List<List<Object>> rows) throws SQLException {
    try (SQLServerBulkCopy bulk = new SQLServerBulkCopy(connection)) {
      SQLServerBulkCopyOptions options = new SQLServerBulkCopyOptions();
      options.setKeepNulls(true);
      options.setBulkCopyTimeout(BULK_COPY_TIMEOUT_SECONDS);
      bulk.setBulkCopyOptions(options);
      bulk.setDestinationTableName(qualifiedTable);
      OutputRows source = new OutputRows(table, columns, rows);
      for (int i = 1; i <= source.width(); i++) {
        bulk.addColumnMapping(i, source.getColumnName(i));
      }
      bulk.writeToServer(source);
    }
    return true;
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
