package io.fleetjobs.bench;

import com.microsoft.sqlserver.jdbc.SQLServerConnectionPoolDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.PooledConnection;

/**
 * What the sqlserver engine's session reset costs per use of a pooled connection, against its alternatives, on
 * one SQL Server (or the TDS test server): each use runs {@code SELECT 1}.
 * <ul>
 *   <li><b>reset</b>: what the agent does, a fresh handle from the same PooledConnection per use, so the use's
 *       first request carries the reset bit (sp_reset_connection);</li>
 *   <li><b>no reset</b>: the same connection handed out again as it is (what the agent did before issue 13);</li>
 *   <li><b>new connection</b>: no pooling, a connection (TCP, TLS, login) opened and closed per use.</li>
 * </ul>
 * Arguments: host port database user password [uses, default 2000] [trustServerCertificate, default true].
 */
public final class SessionResetBenchmark {
  private SessionResetBenchmark() {
  }

  public static void main(String[] args) throws SQLException {
    SQLServerConnectionPoolDataSource source = new SQLServerConnectionPoolDataSource();
    source.setServerName(args[0]);
    source.setPortNumber(Integer.parseInt(args[1]));
    source.setDatabaseName(args[2]);
    source.setUser(args[3]);
    source.setPassword(args[4]);
    source.setEncrypt("true");
    source.setTrustServerCertificate(args.length < 7 || Boolean.parseBoolean(args[6]));
    source.setApplicationName("fleetjobs-bench");
    int uses = args.length > 5 ? Integer.parseInt(args[5]) : 2000;
    for (int round = 1; round <= 2; round++) {
      // The first round warms the JVM and the server; the second is the one to read.
      double reset = perUse(uses, () -> resetEachUse(source, uses));
      double reused = perUse(uses, () -> sameHandle(source, uses));
      double fresh = perUse(Math.max(1, uses / 10), () -> newConnectionEachUse(source, Math.max(1, uses / 10)));
      System.out.printf(Locale.ROOT, "round %d: reset %.3f ms/use, no reset %.3f ms/use, new connection %.3f ms/use%n",
        round, reset, reused, fresh);
    }
  }

  @FunctionalInterface
  private interface Run {
    void run() throws SQLException;
  }

  private static double perUse(int uses, Run run) throws SQLException {
    long start = System.nanoTime();
    run.run();
    return (System.nanoTime() - start) / 1e6 / uses;
  }

  private static void resetEachUse(SQLServerConnectionPoolDataSource source, int uses) throws SQLException {
    PooledConnection pooled = source.getPooledConnection();
    try {
      for (int i = 0; i < uses; i++) {
        try (Connection handle = pooled.getConnection(); Statement statement = handle.createStatement()) {
          statement.execute("SELECT 1");
        }
      }
    } finally {
      pooled.close();
    }
  }

  private static void sameHandle(SQLServerConnectionPoolDataSource source, int uses) throws SQLException {
    PooledConnection pooled = source.getPooledConnection();
    try (Connection handle = pooled.getConnection()) {
      for (int i = 0; i < uses; i++) {
        try (Statement statement = handle.createStatement()) {
          statement.execute("SELECT 1");
        }
      }
    } finally {
      pooled.close();
    }
  }

  private static void newConnectionEachUse(SQLServerConnectionPoolDataSource source, int uses) throws SQLException {
    for (int i = 0; i < uses; i++) {
      PooledConnection pooled = source.getPooledConnection();
      try (Connection handle = pooled.getConnection(); Statement statement = handle.createStatement()) {
        statement.execute("SELECT 1");
      } finally {
        pooled.close();
      }
    }
  }
}
