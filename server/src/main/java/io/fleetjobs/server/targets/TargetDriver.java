package io.fleetjobs.server.targets;

import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.Future;
import java.util.List;

/**
 * Everything the engine does on one kind of database server. One implementation per engine.
 * {@code connection} is the member's own: its TLS mode (or, on sqlserver, whether any certificate is trusted) and
 * how it signs in; see {@link ConnectionSettings}.
 */
public interface TargetDriver {

  /** The engine name used by target group members: postgresql, sqlserver or mysql. */
  String engine();

  /** Every database of the server that a SqlServer member expands to, read with the refresh login. */
  Future<List<String>> listDatabases(String serverName, Login login, ConnectionSettings connection);

  /** Every database of the elastic pool on the server, read with the refresh login (through master on Azure SQL). */
  default Future<List<String>> listPoolDatabases(String serverName, String elasticPoolName, Login login,
                                                 ConnectionSettings connection) {
    return Future.failedFuture(new InvalidInput("elasticPoolName", "The " + engine() + " engine has no elastic pools."));
  }

  /**
   * How connections authenticate, as the API shows it: SqlLogin (stored credentials), or the agent's
   * Microsoft Entra identity (ManagedIdentity, ServicePrincipal, DefaultAzureCredential).
   */
  default String authentication() {
    return "SqlLogin";
  }

  /** How a member's targets authenticate: the engine's way, unless the member chose another (an Entra token). */
  default String authentication(ConnectionSettings connection) {
    return authentication();
  }

  /**
   * The TLS mode a member's connections use, in the engine's words: the member's own, or the agent's default.
   * What the previews and target rows show; a step stores it when it starts, so its targets keep it.
   */
  String sslMode(ConnectionSettings connection);

  /**
   * Whether {@link ScriptOptions#dryRun()} is honoured: the script runs inside a transaction that is rolled back.
   * An engine that cannot is never sent a dry run's script at all.
   */
  default boolean runsDryRuns() {
    return false;
  }

  /** False once the agent has an identity for this engine: logins may then be null, and are not read. */
  default boolean usesStoredCredentials() {
    return true;
  }

  /** Connects to the database with the login and runs a trivial query: whether the login works there. */
  Future<Void> testLogin(String serverName, String databaseName, Login login, ConnectionSettings connection);

  /** Where a login is tried when only a server is named: PostgreSQL's postgres, SQL Server's master. */
  String maintenanceDatabase();

  /**
   * Runs the script on the database as the engine's client runs one (psql, sqlcmd), cut into batches and
   * statements by the step's action type, stopping at the first error.
   */
  RunningScript run(String serverName, String databaseName, Login login, ConnectionSettings connection, String script,
                    ScriptOptions options);

  /**
   * Appends a result set to the output table, creating the table on first use. Rows an earlier attempt of
   * the same execution wrote for the same target are replaced, so a re-run target is never written twice.
   */
  Future<Void> appendOutput(OutputTable table, Login login, ScriptResult result);

  /** Closes the connections the driver keeps between uses, once no more work will come. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
