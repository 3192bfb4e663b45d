package io.fleetjobs.server.targets;

import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.Future;
import java.util.List;

/**
 * Everything the engine does on one kind of database server. One implementation per engine.
 * {@code trustServerCertificate} is the member's own: whether TLS may accept a certificate no trusted
 * authority signed. Only the sqlserver engine has the setting; the others are never given true.
 */
public interface TargetDriver {

  /** The engine name used by target group members: postgresql or sqlserver. */
  String engine();

  /** Every database of the server that a SqlServer member expands to, read with the refresh login. */
  Future<List<String>> listDatabases(String serverName, Login login, boolean trustServerCertificate);

  /** Every database of the elastic pool on the server, read with the refresh login (through master on Azure SQL). */
  default Future<List<String>> listPoolDatabases(String serverName, String elasticPoolName, Login login,
                                                 boolean trustServerCertificate) {
    return Future.failedFuture(new InvalidInput("elasticPoolName", "The " + engine() + " engine has no elastic pools."));
  }

  /**
   * How connections authenticate, as the API shows it: SqlLogin (stored credentials), or the agent's
   * Microsoft Entra identity (ManagedIdentity, ServicePrincipal, DefaultAzureCredential).
   */
  default String authentication() {
    return "SqlLogin";
  }

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
  Future<Void> testLogin(String serverName, String databaseName, Login login, boolean trustServerCertificate);

  /** Where a login is tried when only a server is named: PostgreSQL's postgres, SQL Server's master. */
  String maintenanceDatabase();

  /**
   * Runs the script on the database as the engine's client runs one (psql, sqlcmd), cut into batches and
   * statements by the step's action type, stopping at the first error.
   */
  RunningScript run(String serverName, String databaseName, Login login, boolean trustServerCertificate, String script,
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
