package io.fleetjobs.server.targets.sqlserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.ScriptResult;
import io.fleetjobs.server.targets.jdbc.JdbcAuth;
import io.fleetjobs.server.targets.jdbc.JdbcEndpoint;
import java.lang.reflect.Proxy;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What only SQL Server needs: its connection properties, enumeration queries and output DDL. Pure. */
class SqlServerDialectTest {
  private final SqlServerDialect dialect = new SqlServerDialect();

  @Test
  void a_sql_login_connects_with_user_and_password_and_tls_verified_by_default() {
    JdbcEndpoint endpoint = dialect.endpoint("fleet.database.windows.net", "sales",
      new JdbcAuth.Password(new Login("job_user", "s3cret")), false, "fleetjobs/nightly/reindex");
    Properties p = endpoint.properties();
    assertEquals("jdbc:sqlserver://", endpoint.url());
    assertEquals("fleet.database.windows.net", p.getProperty("serverName"));
    assertEquals("1433", p.getProperty("portNumber"));
    assertEquals("sales", p.getProperty("databaseName"));
    assertEquals("true", p.getProperty("encrypt"));
    assertEquals("false", p.getProperty("trustServerCertificate"));
    assertEquals("job_user", p.getProperty("user"));
    assertEquals("s3cret", p.getProperty("password"));
    assertFalse(p.containsKey("accessToken"));
    assertEquals("fleetjobs/nightly/reindex", p.getProperty("applicationName"), "sys.dm_exec_sessions.program_name");
    assertFalse(endpoint.toString().contains("s3cret"), "an endpoint never prints its secrets");
  }

  @Test
  void server_names_take_the_forms_dbas_write_and_a_named_instance_is_not_pinned_to_a_port() {
    assertEquals("sql1|1433|null", address("sql1"));
    assertEquals("sql1|14330|null", address("sql1:14330"));
    assertEquals("sql1|14330|null", address("tcp:sql1,14330"));
    assertEquals("::1|1433|null", address("[::1]:1433"));
    assertEquals("sql1|null|INST2", address("sql1\\INST2"), "the SQL Server Browser finds the instance's port");
    assertEquals("sql1|50000|INST2", address("sql1\\INST2:50000"));
    assertThrows(InvalidInput.class, () -> address("tcp:sql1,port"));
  }

  private static String address(String serverName) {
    Properties properties = new Properties();
    SqlServerDialect.address(serverName, properties);
    return properties.getProperty("serverName") + "|" + properties.getProperty("portNumber") + "|"
      + properties.getProperty("instanceName");
  }

  @Test
  void trusting_the_server_certificate_keeps_encryption_on_and_only_true_trusts_it() {
    JdbcAuth login = new JdbcAuth.Password(new Login("job_user", "s3cret"));
    Properties trusting = dialect.endpoint("sql1.example.com", "sales", login, true, "fleetjobs").properties();
    assertEquals("true", trusting.getProperty("trustServerCertificate"));
    assertEquals("true", trusting.getProperty("encrypt"), "trusting a certificate never turns TLS off");
    Properties verifying = dialect.endpoint("sql1.example.com", "sales", login, false, "fleetjobs").properties();
    assertEquals("false", verifying.getProperty("trustServerCertificate"));
    assertEquals("true", verifying.getProperty("encrypt"));
  }

  @Test
  void an_entra_identity_connects_with_a_token_callback_and_no_password() {
    JdbcAuth.Token identity = new JdbcAuth.Token("ManagedIdentity",
      resource -> new JdbcAuth.IssuedToken("token-for-" + resource, java.time.Instant.now()));
    Properties first = dialect.endpoint("sql1:14330", "db", identity, true, "fleetjobs").properties();
    assertFalse(first.containsKey("accessToken"), "no token is fixed into the connection: the driver asks at login");
    assertEquals("14330", first.getProperty("portNumber"));
    assertEquals("true", first.getProperty("trustServerCertificate"), "trusted only because it was asked");
    assertEquals("true", first.getProperty("encrypt"));
    assertEquals("30", first.getProperty("loginTimeout"), "room for the driver's own retry of a transient login error");
    assertFalse(first.containsKey("user") || first.containsKey("password"));
    assertEquals("token-for-https://database.usgovcloudapi.net/", SqlServerDialect.dataSource(first, identity.tokens())
      .getAccessTokenCallback().getAccessToken("https://database.usgovcloudapi.net/", "https://login").getAccessToken());
    assertEquals("entra", identity.poolKey());
    assertEquals("ManagedIdentity", identity.method());
  }

  @Test
  void logins_with_another_password_get_another_pool_without_the_password_in_its_key() {
    String one = new JdbcAuth.Password(new Login("u", "first")).poolKey();
    String two = new JdbcAuth.Password(new Login("u", "second")).poolKey();
    assertFalse(one.equals(two));
    assertFalse(one.contains("first"));
  }

  @Test
  void a_server_expands_to_its_writable_user_databases_and_a_pool_to_its_databases_read_in_master() {
    assertEquals("master", dialect.maintenanceDatabase());
    String server = dialect.databasesQuery().replaceAll("\\s+", " ");
    for (String rule : List.of("d.state_desc = 'ONLINE'", "d.name NOT IN ('master', 'tempdb', 'model', 'msdb')",
      "d.source_database_id IS NULL", "d.is_in_standby = 0", "d.user_access_desc = 'MULTI_USER'",
      "d.is_distributor = 0", "DATABASEPROPERTYEX(d.name, 'Updateability') = 'READ_WRITE'",
      "d.name NOT IN (SELECT name FROM @contained_system)", "is_contained = 1")) {
      assertTrue(server.contains(rule), rule + " in " + server);
    }
    String pool = dialect.poolDatabasesQuery().orElseThrow().replaceAll("\\s+", " ");
    assertTrue(pool.contains("JOIN sys.database_service_objectives o ON o.database_id = d.database_id")
      && pool.contains("WHERE o.elastic_pool_name = ? AND d.state_desc = 'ONLINE'")
      && pool.contains("'Updateability') = 'READ_WRITE'"), pool);
    assertTrue(dialect.emptyListing("sql1", null).orElseThrow().contains("dbmanager"));
  }

  @Test
  void the_output_table_has_a_uniqueidentifier_execution_id_and_the_elastic_jobs_index() {
    OutputTable table = new OutputTable("srv", "results", "dbo", "Sizes", UUID.randomUUID(), "t", "d");
    List<String> ddl = dialect.createOutputTable(table, List.of(new ScriptResult.Column("db", "nvarchar(128)"),
      new ScriptResult.Column("odd]name", "decimal(10,2)")));
    assertEquals(List.of(
      "CREATE TABLE [dbo].[Sizes] (internal_execution_id uniqueidentifier NOT NULL, target_server_name nvarchar(256) "
        + "NOT NULL, target_database_name nvarchar(128) NOT NULL, [db] nvarchar(128) NULL, [odd]]name] decimal(10,2) NULL)",
      "CREATE NONCLUSTERED INDEX [IX_Sizes_Internal_Execution_ID] ON [dbo].[Sizes] (internal_execution_id)"), ddl);
    assertEquals("uniqueidentifier", dialect.executionIdType());
    assertTrue(dialect.executionIndexQuery().contains("c.name = 'internal_execution_id'"));
    assertTrue(dialect.lockOutputTable().contains("sp_getapplock @Resource = ?"));
  }

  @Test
  void result_columns_become_ddl_types_with_their_lengths_and_compare_by_catalog_name() throws SQLException {
    ResultSetMetaData columns = metaData(
      new Object[] {"nvarchar", 50, 0}, new Object[] {"nvarchar", 1073741823, 0}, new Object[] {"varbinary", 0, 0},
      new Object[] {"decimal", 18, 4}, new Object[] {"datetime2", 27, 7}, new Object[] {"int identity", 10, 0},
      new Object[] {"sysname", 128, 0}, new Object[] {"uniqueidentifier", 36, 0});
    List<String> types = new java.util.ArrayList<>();
    for (int i = 1; i <= 8; i++) {
      types.add(dialect.ddlType(columns, i));
    }
    assertEquals(List.of("nvarchar(50)", "nvarchar(max)", "varbinary(max)", "decimal(18,4)", "datetime2(7)", "int",
      "nvarchar(128)", "uniqueidentifier"), types);
    assertEquals("nvarchar", dialect.catalogType("nvarchar(max)"));
    assertEquals("[a]]b]", dialect.quote("a]b"));
  }

  /** JDBC's interface, answered from a table: {type name, precision, scale} per column. */
  private static ResultSetMetaData metaData(Object[]... columns) {
    return (ResultSetMetaData) Proxy.newProxyInstance(ResultSetMetaData.class.getClassLoader(),
      new Class<?>[] {ResultSetMetaData.class}, (proxy, method, args) -> {
        Object[] column = columns[(Integer) args[0] - 1];
        return switch (method.getName()) {
          case "getColumnTypeName" -> column[0];
          case "getPrecision" -> column[1];
          case "getScale" -> column[2];
          default -> throw new UnsupportedOperationException(method.getName());
        };
      });
  }
}
