package io.fleetjobs.server.targets.jdbc;

import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.ScriptBatch;
import io.fleetjobs.server.targets.ScriptResult;
import io.fleetjobs.server.targets.ServerAddress;
import io.fleetjobs.server.targets.SqlcmdBatches;
import java.sql.Connection;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.postgresql.ds.PGConnectionPoolDataSource;

/**
 * PostgreSQL through its JDBC driver, so the sqlserver engine's JDBC path runs for real where no SQL
 * Server is: tests hand it to the sqlserver driver, or to the agent they start, in place of SQL Server's
 * dialect. It never serves the postgresql engine, which has its own non-blocking driver. PostgreSQL has no elastic pools: here a pool's
 * databases are those whose comment is the pool's name.
 */
public final class PostgresJdbcDialect implements JdbcDialect {
  private static final int DEFAULT_PORT = 5432;
  private static final int CONNECT_TIMEOUT_SECONDS = 10;

  @Override
  public String maintenanceDatabase() {
    return "postgres";
  }

  @Override
  public JdbcEndpoint endpoint(String serverName, String database, JdbcAuth auth, boolean trustServerCertificate,
                               String applicationName) {
    ServerAddress address = ServerAddress.parse(serverName, DEFAULT_PORT);
    String host = address.host().contains(":") ? "[" + address.host() + "]" : address.host();
    Properties properties = new Properties();
    properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
    // The test servers have no TLS, so the certificate setting cannot change how these connections encrypt.
    // The application name carries it too: pg_stat_activity shows which setting a connection opened with.
    // Sent at login (which needs a version assumed), it is the session's default, so DISCARD ALL keeps it.
    properties.setProperty("ApplicationName",
      trustServerCertificate ? applicationName + " trustServerCertificate" : applicationName);
    properties.setProperty("assumeMinServerVersion", "10");
    if (auth instanceof JdbcAuth.Password password) {
      properties.setProperty("user", password.login().username());
      properties.setProperty("password", password.login().password());
    } else {
      throw new IllegalArgumentException("PostgreSQL over JDBC takes SQL logins only.");
    }
    String url = "jdbc:postgresql://" + host + ":" + address.port() + "/"
      + java.net.URLEncoder.encode(database, java.nio.charset.StandardCharsets.UTF_8);
    return new JdbcEndpoint(url, properties, () -> {
      PGConnectionPoolDataSource source = new PGConnectionPoolDataSource();
      source.setURL(url);
      for (String name : properties.stringPropertyNames()) {
        source.setProperty(name, properties.getProperty(name));
      }
      return source.getPooledConnection();
    });
  }

  @Override
  public String databasesQuery() {
    return """
      SELECT datname FROM pg_database
       WHERE datallowconn AND NOT datistemplate AND datname <> 'postgres'
       ORDER BY datname""";
  }

  @Override
  public Optional<String> poolDatabasesQuery() {
    return Optional.of("""
      SELECT datname FROM pg_database
       WHERE datallowconn AND shobj_description(oid, 'pg_database') = ?
       ORDER BY datname""");
  }

  @Override
  public List<ScriptBatch> batches(String script) {
    return SqlcmdBatches.split(script);
  }

  /**
   * A script may leave a transaction open and session settings changed; neither reaches the next one. PostgreSQL
   * has no reset bit on the wire, so the session is discarded here; an open transaction is rolled back as psql's
   * exit rolls it back, without being counted.
   */
  @Override
  public int endSession(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      if (!connection.getAutoCommit()) {
        connection.rollback();
        connection.setAutoCommit(true);
      }
      statement.execute("ROLLBACK");
      statement.execute("DISCARD ALL");
    }
    connection.clearWarnings();
    return 0;
  }

  @Override
  public String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The driver names array types after their catalog name (_int4); DDL spells them int4[]. */
  @Override
  public String ddlType(ResultSetMetaData metaData, int column) throws SQLException {
    String type = metaData.getColumnTypeName(column).toLowerCase(Locale.ROOT);
    if (type.startsWith("_")) {
      return type.substring(1) + "[]";
    }
    return type.isEmpty() || type.equals("unknown") ? "text" : type;
  }

  @Override
  public String catalogType(String ddlType) {
    return ddlType.endsWith("[]") ? "_" + ddlType.substring(0, ddlType.length() - 2) : ddlType;
  }

  @Override
  public String lockOutputTable() {
    return "SELECT pg_advisory_xact_lock(hashtext(?))";
  }

  @Override
  public String existingColumnsQuery() {
    return """
      SELECT column_name, udt_name FROM information_schema.columns
       WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position""";
  }

  @Override
  public String executionIndexQuery() {
    return """
      SELECT i.relname FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
       WHERE n.nspname = ? AND t.relname = ? AND a.attname = 'internal_execution_id'""";
  }

  @Override
  public String executionIdType() {
    return "uuid";
  }

  @Override
  public List<String> createOutputTable(OutputTable table, List<ScriptResult.Column> columns) {
    String qualified = quote(table.schemaName()) + "." + quote(table.tableName());
    return List.of(
      "CREATE TABLE " + qualified + " (internal_execution_id uuid NOT NULL, target_server_name text NOT NULL, "
        + "target_database_name text NOT NULL, "
        + columns.stream().map(c -> quote(c.name()) + " " + c.typeName()).collect(Collectors.joining(", ")) + ")",
      "CREATE INDEX " + quote(JdbcDialect.executionIndexName(table)) + " ON " + qualified + " (internal_execution_id)");
  }

  @Override
  public Object executionId(UUID id) {
    return id;
  }
}
