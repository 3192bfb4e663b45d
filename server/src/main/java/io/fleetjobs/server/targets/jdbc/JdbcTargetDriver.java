package io.fleetjobs.server.targets.jdbc;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.common.errors.TargetUnreachable;
import io.fleetjobs.server.targets.ActionType;
import io.fleetjobs.server.targets.ConnectionSettings;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.RunningScript;
import io.fleetjobs.server.targets.ScriptBatch;
import io.fleetjobs.server.targets.ScriptFailed;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.ScriptResult;
import io.fleetjobs.server.targets.SqlcmdBatches;
import io.fleetjobs.server.targets.TargetDriver;
import io.fleetjobs.server.targets.TargetFailures;
import io.fleetjobs.server.targets.TargetWorkerPool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * A target driver over JDBC and {@link JdbcPools}, for any engine a {@link JdbcDialect} describes:
 * the sqlserver engine through mssql-jdbc, and the same code over the PostgreSQL JDBC driver in tests.
 * Scripts are split into sqlcmd batches (the TSql action type) and run in order on one connection; the first
 * result set and the server's informational messages come back; a cancel stops the running statement on the
 * server.
 */
public final class JdbcTargetDriver implements TargetDriver {
  private static final long CANCEL_GRACE_MS = 5_000;
  private static final int ENUMERATION_TIMEOUT_SECONDS = 30;
  private static final long UNANSWERED_LIMIT_MS = 120_000;
  private static final List<Duration> ENUMERATION_RETRY_DELAYS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(3),
    Duration.ofSeconds(6));

  /** @param trustServerCertificate whether the agent's configuration trusts any server certificate */
  public record Dependencies(String engine, JdbcDialect dialect, JdbcPools pools, TargetWorkerPool workers,
                             TargetAuthenticator authenticator, boolean trustServerCertificate) {
  }

  private final Vertx vertx;
  private final Dependencies wiring;
  private final JdbcDialect dialect;
  private final OutputWriter output;

  public JdbcTargetDriver(Vertx vertx, Dependencies wiring) {
    this.vertx = vertx;
    this.wiring = wiring;
    this.dialect = wiring.dialect();
    this.output = new OutputWriter(wiring.dialect());
  }

  @Override
  public String engine() {
    return wiring.engine();
  }

  @Override
  public String authentication() {
    return wiring.authenticator().method();
  }

  /**
   * Connections are always encrypted; in libpq's words the mode is verify-full, or require when any certificate
   * is trusted.
   */
  @Override
  public String sslMode(ConnectionSettings connection) {
    return wiring.trustServerCertificate() || connection.trustServerCertificate() ? "require" : "verify-full";
  }

  /** Where the dialect has a way to run them: see {@link JdbcDryRun}. */
  @Override
  public boolean runsDryRuns() {
    return dialect.dryRun().isPresent();
  }

  @Override
  public boolean usesStoredCredentials() {
    return wiring.authenticator().usesStoredCredentials();
  }

  @Override
  public Future<List<String>> listDatabases(String serverName, Login login, ConnectionSettings connection) {
    return list(Where.agent(serverName, dialect.maintenanceDatabase(), connection.trustServerCertificate()), login,
      dialect.databasesQuery(), null);
  }

  @Override
  public Future<List<String>> listPoolDatabases(String serverName, String elasticPoolName, Login login,
                                                ConnectionSettings connection) {
    return dialect.poolDatabasesQuery()
      .map(query -> list(Where.agent(serverName, dialect.maintenanceDatabase(), connection.trustServerCertificate()),
        login, query,
        elasticPoolName))
      .orElseGet(() -> Future.failedFuture(new InvalidInput("elasticPoolName",
        "The " + engine() + " engine has no elastic pools.")));
  }

  private Future<List<String>> list(Where where, Login login, String query, String parameter) {
    return listTrying(where, login, query, parameter, 0)
      .compose(names -> names.isEmpty()
        ? dialect.emptyListing(where.serverName(), parameter)
          .<Future<List<String>>>map(message -> Future.failedFuture(new InvalidInput("refreshCredential", message)))
          .orElse(Future.succeededFuture(names))
        : Future.succeededFuture(names))
      // Whatever stops the listing fails the member with its reason; its row is retried as the step says.
      .recover(e -> Future.failedFuture(e instanceof TargetUnreachable ? e : new TargetUnreachable("serverName",
        "Could not list the databases of server '" + where.serverName() + "'"
          + (parameter == null ? "" : " in elastic pool '" + parameter + "'") + ": " + e.getMessage(), e)));
  }

  /**
   * Azure SQL's master answers "busy" or "moving" (40613, 40501, 40197, 49918-49920) for seconds at a time: a
   * listing that meets one tries again after a short wait, as Microsoft's retry guidance says, before the
   * member fails. Other failures fail at once.
   */
  private Future<List<String>> listTrying(Where where, Login login, String query, String parameter, int retry) {
    return connect(where, login, "refreshCredential", connection -> boundedWait(connection,
      () -> readNames(connection, query, parameter)))
      .recover(e -> retry < ENUMERATION_RETRY_DELAYS.size() && TargetFailures.isTransientServerError(e)
        ? vertx.timer(ENUMERATION_RETRY_DELAYS.get(retry).toMillis())
          .compose(waited -> listTrying(where, login, query, parameter, retry + 1))
        : Future.failedFuture(e));
  }

  /** Every result of the query is read to its end, so an error raised after the rows is not lost. */
  private static List<String> readNames(Connection connection, String query, String parameter) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query)) {
      statement.setQueryTimeout(ENUMERATION_TIMEOUT_SECONDS);
      if (parameter != null) {
        statement.setString(1, parameter);
      }
      List<String> names = new ArrayList<>();
      boolean resultSet = statement.execute();
      while (resultSet || statement.getUpdateCount() != -1) {
        if (resultSet) {
          try (ResultSet rows = statement.getResultSet()) {
            while (rows.next()) {
              names.add(rows.getString(1));
            }
          }
        }
        resultSet = statement.getMoreResults();
      }
      return names;
    }
  }

  @Override
  public Future<Void> testLogin(String serverName, String databaseName, Login login, ConnectionSettings member) {
    return connect(Where.agent(serverName, databaseName, member.trustServerCertificate()), login, "credential",
      connection -> boundedWait(connection, () -> {
        try (java.sql.Statement statement = connection.createStatement()) {
          statement.execute("SELECT 1");
        }
        return null;
      }))
      .mapEmpty();
  }

  @Override
  public String maintenanceDatabase() {
    return dialect.maintenanceDatabase();
  }

  @Override
  public RunningScript run(String serverName, String databaseName, Login login, ConnectionSettings connection,
                           String script, ScriptOptions options) {
    ScriptRun run;
    try {
      List<ScriptBatch> batches = options.actionType() == ActionType.TSQL
        ? dialect.batches(script)
        : SqlcmdBatches.whole(script);
      run = new ScriptRun(dialect, batches, options.keepFirstResult(), options.singleTransaction(),
        options.dryRun() ? dialect.dryRun().orElseThrow() : null);
    } catch (RuntimeException e) {
      return RunningScript.failed(e);
    }
    Optional<ScriptFailed> refused = run.refusal();
    if (refused.isPresent()) {
      return RunningScript.failed(refused.get());
    }
    Where where = new Where(serverName, databaseName, connection.trustServerCertificate(), options.applicationName());
    Future<ScriptResult> result = connect(where, login, "credential", run::execute);
    return RunningScript.of(result, () -> {
      run.markCancelled();
      // If the server ignores the cancel, closing the connection ends the statement and frees its thread.
      vertx.setTimer(CANCEL_GRACE_MS, late -> {
        if (!result.isComplete()) {
          wiring.workers().executor().executeBlocking(() -> {
            run.abort(Runnable::run);
            return null;
          }, false);
        }
      });
      return wiring.workers().executor().executeBlocking(() -> {
        run.cancel();
        return null;
      }, false);
    });
  }

  @Override
  public Future<Void> appendOutput(OutputTable table, Login login, ScriptResult result) {
    if (!result.hasResultSet()) {
      return Future.succeededFuture();
    }
    // The output database belongs to no member: only the agent's configuration may trust its certificate.
    Where where = Where.agent(table.serverName(), table.databaseName(), false);
    return connect(where, login, "output.credential", connection -> boundedWait(connection, () -> {
      output.append(connection, table, result);
      return null;
    }));
  }

  /**
   * Enumeration and output writes run outside a step's timeout, so nothing else would end them: a server
   * that stops answering (or a lock that is never released) fails them after this long without a reply.
   */
  private static <T> T boundedWait(Connection connection, Callable<T> work) throws Exception {
    int before = connection.getNetworkTimeout();
    connection.setNetworkTimeout(Runnable::run, (int) UNANSWERED_LIMIT_MS);
    try {
      return work.call();
    } finally {
      if (!connection.isClosed()) {
        connection.setNetworkTimeout(Runnable::run, before);
      }
    }
  }

  /**
   * A database to connect to, whether its member trusts the server's certificate, and the application name
   * its sessions show.
   */
  private record Where(String serverName, String database, boolean trustServerCertificate, String applicationName) {
    /** Enumeration and output writes, which belong to no step. */
    static Where agent(String serverName, String database, boolean trustServerCertificate) {
      return new Where(serverName, database, trustServerCertificate, ScriptOptions.AGENT_APPLICATION_NAME);
    }
  }

  /**
   * The certificate is trusted when the agent's configuration or the member says so. Whether it is belongs
   * to the pool's key, so members that differ only in it never share a connection. So does the application
   * name: SQL Server takes it at login only, so each step's sessions are pooled apart and show its name.
   */
  private <T> Future<T> connect(Where where, Login login, String credentialField, JdbcPools.SqlWork<T> work) {
    JdbcAuth auth;
    try {
      auth = wiring.authenticator().auth(login, credentialField);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    boolean trust = wiring.trustServerCertificate() || where.trustServerCertificate();
    String key = where.serverName().toLowerCase(Locale.ROOT) + "/" + where.database() + "/" + auth.poolKey()
      + (trust ? "/trustServerCertificate" : "") + "/" + where.applicationName();
    return wiring.pools().withConnection(key,
      () -> dialect.endpoint(where.serverName(), where.database(), auth, trust, where.applicationName()), work);
  }

  /** Closes every pool; the worker pool belongs to whoever opened it. */
  @Override
  public Future<Void> close() {
    return wiring.pools().close();
  }
}
