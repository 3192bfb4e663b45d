package io.fleetjobs.server.targets.mysql;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.config.TargetSettings;
import io.fleetjobs.server.targets.ConnectFailed;
import io.fleetjobs.server.targets.ConnectionSettings;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.ReactiveSessions;
import io.fleetjobs.server.targets.RunningScript;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.ScriptResult;
import io.fleetjobs.server.targets.ServerAddress;
import io.fleetjobs.server.targets.TargetDriver;
import io.fleetjobs.server.targets.TlsTrust;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.mysqlclient.SslMode;
import io.vertx.mysqlclient.spi.MySQLDriver;
import io.vertx.sqlclient.spi.ConnectionFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * MySQL 8 and MariaDB 10.6+ targets through the non-blocking vertx-mysql-client, from the Vert.x BOM: no thread
 * waits on a target, as on PostgreSQL. Scripts run as the mysql client runs them ({@link MysqlScript},
 * {@link MysqlRun}); a timeout or a cancel stops the running statement with KILL QUERY from a second connection,
 * since MySQL's protocol has no cancel request of its own. TLS follows MySQL's --ssl-mode.
 */
public final class MysqlTargetDriver implements TargetDriver {
  public static final String ENGINE = "mysql";
  public static final int DEFAULT_PORT = 3306;
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final int OUTPUT_TIMEOUT_MS = 60_000;
  private static final long CANCEL_GRACE_MS = 5_000;
  /** Every login may read it: where a login is tried when only a server is named. */
  private static final String MAINTENANCE_DATABASE = "information_schema";

  /**
   * @param sslMode MySQL's --ssl-mode for members that name none
   * @param trust the authorities VERIFY_CA and VERIFY_IDENTITY accept
   */
  public record Settings(String sslMode, TlsTrust trust) {
    /** PREFERRED, as the mysql client's default, and the JVM's trust store. */
    public static Settings defaults() {
      return new Settings("PREFERRED", TlsTrust.of(null));
    }

    /** From the agent's configuration; reads the CA bundle, blocking. */
    public static Settings of(TargetSettings targets) {
      return new Settings(targets.mysqlSslMode(), TlsTrust.of(targets.mysqlSslCa()));
    }
  }

  private final Vertx vertx;
  private final Settings settings;
  /** Every session connects on this one client (see {@link ReactiveSessions#client}). */
  private final ConnectionFactory<MySQLConnectOptions> connections;

  public MysqlTargetDriver(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.connections = ReactiveSessions.client(vertx, MySQLDriver.INSTANCE);
  }

  @Override
  public Future<Void> close() {
    return ReactiveSessions.close(connections);
  }

  @Override
  public String engine() {
    return ENGINE;
  }

  /** Inside START TRANSACTION … ROLLBACK, refusing up front what would commit implicitly: see {@link MysqlDryRun}. */
  @Override
  public boolean runsDryRuns() {
    return true;
  }

  @Override
  public String sslMode(ConnectionSettings connection) {
    return connection.sslMode() != null ? connection.sslMode() : settings.sslMode();
  }

  /** Every schema but MySQL's own, which no DBA means by "every database of the server". */
  @Override
  public Future<List<String>> listDatabases(String serverName, Login login, ConnectionSettings member) {
    return ReactiveSessions.listDatabases(serverName,
      connect(serverName, null, login, member, ScriptOptions.AGENT_APPLICATION_NAME), """
        SELECT schema_name FROM information_schema.schemata
         WHERE schema_name NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')
         ORDER BY schema_name""");
  }

  @Override
  public Future<Void> testLogin(String serverName, String databaseName, Login login, ConnectionSettings member) {
    return ReactiveSessions.testLogin(
      connect(serverName, databaseName, login, member, ScriptOptions.AGENT_APPLICATION_NAME));
  }

  @Override
  public String maintenanceDatabase() {
    return MAINTENANCE_DATABASE;
  }

  @Override
  public RunningScript run(String serverName, String databaseName, Login login, ConnectionSettings member,
                           String script, ScriptOptions options) {
    MysqlScript statements;
    try {
      statements = MysqlScript.parse(script);
    } catch (RuntimeException e) {
      return RunningScript.failed(e);
    }
    AtomicReference<MySQLConnection> open = new AtomicReference<>();
    AtomicReference<Long> serverThread = new AtomicReference<>();
    AtomicBoolean cancelled = new AtomicBoolean();
    Future<ScriptResult> result = connect(serverName, databaseName, login, member, options.applicationName())
      .compose(connection -> {
        open.set(connection);
        // The id KILL QUERY names; asked before anything else runs on the session.
        return connection.query("SELECT CONNECTION_ID()").execute()
          .compose(id -> {
            serverThread.set(id.iterator().next().getLong(0));
            if (cancelled.get()) {
              return Future.failedFuture("Canceled before the script started.");
            }
            return new MysqlRun(connection, statements, options, cancelled::get).execute();
          })
          // The result does not wait for the connection to close: the slot is free once the script is done.
          .onComplete(done -> connection.close());
      });
    return RunningScript.of(result, () -> {
      cancelled.set(true);
      MySQLConnection connection = open.get();
      Long thread = serverThread.get();
      if (connection == null || thread == null) {
        return Future.succeededFuture();
      }
      // If the kill cannot be delivered, closing the connection ends the statement (MySQL notices at its next
      // check, as it does for KILL QUERY).
      vertx.setTimer(CANCEL_GRACE_MS, late -> {
        if (!result.isComplete()) {
          connection.close();
        }
      });
      return connect(serverName, null, login, member, ScriptOptions.AGENT_APPLICATION_NAME)
        .compose(killer -> killer.query("KILL QUERY " + thread).execute().eventually(killer::close))
        .mapEmpty();
    });
  }

  @Override
  public Future<Void> appendOutput(OutputTable table, Login login, ScriptResult result) {
    if (!result.hasResultSet()) {
      return Future.succeededFuture();
    }
    return connect(table.serverName(), table.databaseName(), login, ConnectionSettings.sslMode(table.sslMode()),
        ScriptOptions.AGENT_APPLICATION_NAME)
      .compose(connection -> MysqlOutput.append(connection, table, result).eventually(connection::close))
      .timeout(OUTPUT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  private Future<MySQLConnection> connect(String serverName, String database, Login login, ConnectionSettings member,
                                          String applicationName) {
    if (login == null) {
      return Future.failedFuture(new InvalidInput("credential", "A mysql target needs a credential."));
    }
    String mode = sslMode(member);
    long started = System.nanoTime();
    Future<MySQLConnection> connecting = connections.connect(vertx.getOrCreateContext(),
      options(serverName, database, login, applicationName, mode)).map(MySQLConnection::cast);
    return ReactiveSessions.withinTimeout(connecting, CONNECT_TIMEOUT_MS)
      .recover(e -> Future.failedFuture(ConnectFailed.of(e, mode, settings.trust()
        .refusal(ServerAddress.parse(serverName, DEFAULT_PORT).host(), mode, started))));
  }

  /**
   * MySQL's meanings: PREFERRED and REQUIRED encrypt without checking the certificate, VERIFY_CA checks its
   * authority, VERIFY_IDENTITY also its host. The session shows the step as program_name, as the mysql client's
   * sessions show theirs (performance_schema.session_connect_attrs).
   */
  private MySQLConnectOptions options(String serverName, String database, Login login, String applicationName,
                                      String mode) {
    ServerAddress address = ServerAddress.parse(serverName, DEFAULT_PORT);
    MySQLConnectOptions options = new MySQLConnectOptions()
      .setHost(address.host())
      .setPort(address.port())
      .setUser(login.username())
      .setPassword(login.password())
      .setCharset("utf8mb4")
      .setSslMode(SslMode.valueOf(mode));
    if (database != null) {
      options.setDatabase(database);
    }
    options.addProperty("program_name", applicationName);
    return mode.equals("DISABLED") ? options : options.setSslOptions(settings.trust().options(address.host(), mode,
      mode.startsWith("VERIFY_"), mode.equals("VERIFY_IDENTITY"), null));
  }
}
