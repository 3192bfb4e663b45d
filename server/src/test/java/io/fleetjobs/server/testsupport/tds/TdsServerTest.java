package io.fleetjobs.server.testsupport.tds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The test double itself, driven by mssql-jdbc: what it speaks, answers and records. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class TdsServerTest {
  private TdsServer server;

  @BeforeEach
  void start() {
    server = TdsServer.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("serverName", "localhost");
    properties.setProperty("portNumber", Integer.toString(server.port()));
    properties.setProperty("databaseName", "tenant1");
    properties.setProperty("encrypt", "true");
    properties.setProperty("trustServerCertificate", "true");
    properties.setProperty("user", "fleet");
    properties.setProperty("password", "s3cret");
    properties.setProperty("applicationName", "fleetjobs/test");
    return DriverManager.getConnection("jdbc:sqlserver://", properties);
  }

  @Test
  void the_driver_logs_in_over_tls_and_reads_a_result_set() throws SQLException {
    server.when("SELECT 42", Reply.resultSet(List.of(TdsColumn.integer("answer"), TdsColumn.nvarchar("word", 10)),
      List.of(42, "forty-two")));
    try (Connection connection = connect(); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT 42 AS answer")) {
      assertTrue(rows.next());
      assertEquals(42, rows.getInt(1));
      assertEquals("forty-two", rows.getString(2));
    }
    Login7 login = server.logins().get(0);
    assertEquals("fleet", login.userName());
    assertEquals("s3cret", login.password());
    assertEquals("fleetjobs/test", login.applicationName());
    assertEquals("tenant1", login.database());
  }

  @Test
  void errors_after_rows_reach_the_driver() throws SQLException {
    server.when("SELECT 1/0", new Reply().columns(TdsColumn.integer("x")).row(1).row(2)
      .error(8134, 16, "Divide by zero error encountered.").done());
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> {
        try (ResultSet rows = statement.executeQuery("SELECT 1/0")) {
          while (rows.next()) {
            rows.getInt(1);
          }
        }
      });
      assertEquals(8134, e.getErrorCode());
    }
  }

  @Test
  void rpc_parameters_are_recorded_with_their_types() throws SQLException {
    try (Connection connection = connect();
         PreparedStatement insert = connection.prepareStatement("INSERT INTO t (a, b, c) VALUES (?, ?, ?)")) {
      for (int i = 0; i < 3; i++) {
        insert.setInt(1, i);
        insert.setString(2, "row " + i);
        insert.setBytes(3, new byte[] {1, 2});
        insert.addBatch();
      }
      insert.executeBatch();
      insert.setInt(1, 9);
      insert.setString(2, "again");
      insert.setNull(3, java.sql.Types.VARBINARY);
      insert.executeUpdate();
      insert.executeUpdate();
    }
    List<TdsCall> inserts = server.calls("INSERT INTO t");
    assertTrue(inserts.size() >= 4, inserts.toString());
    TdsCall last = inserts.get(inserts.size() - 1);
    assertEquals(List.of("int", "nvarchar", "varbinary"), last.values().stream().map(p -> p.type().name()).toList());
    assertEquals(9L, last.values().get(0).value());
  }

  @Test
  void a_cancel_sends_attention_and_the_server_acknowledges_it() throws SQLException {
    server.when("WAITFOR", new Reply().info("waiting").done().pauseUntilAttention(java.time.Duration.ofSeconds(30)));
    long start = System.nanoTime();
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      // Statement.cancel from another thread, as the agent cancels: mssql-jdbc's own query timeout stops counting
      // once the first packet of the answer arrived, so it would not end this statement.
      Thread canceller = new Thread(() -> {
        try {
          Thread.sleep(1000);
          statement.cancel();
        } catch (InterruptedException | SQLException e) {
          Thread.currentThread().interrupt();
        }
      });
      canceller.start();
      SQLException e = assertThrows(SQLException.class, () -> statement.execute("WAITFOR DELAY '00:01:00'"),
        () -> server.requests() + " " + server.failures());
      assertTrue(e.getMessage().contains("timed out") || e.getMessage().contains("cancel"), e.getMessage());
      try (ResultSet rows = statement.executeQuery("SELECT 42")) {
        assertTrue(!rows.next() || rows.getInt(1) == 0, "the connection is usable after the acknowledgement");
      } catch (SQLException notAResultSet) {
        // the default answer has no result set: the point is that the connection still answers
      }
    }
    assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(20));
    assertTrue(server.requests().stream().anyMatch(r -> r.kind() == TdsRequest.Kind.ATTENTION), server.requests().toString());
    assertEquals(List.of(), server.failures());
  }
}
